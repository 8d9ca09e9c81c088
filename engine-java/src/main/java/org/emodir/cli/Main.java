package org.emodir.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code emodir} command line. Exit codes: 0 success, 1 run failed (bad input, I/O error),
 * 2 usage error (unknown option, invalid value).
 */
@Command(
        name = "emodir",
        mixinStandardHelpOptions = true,
        version = "emodir 0.1.0",
        description = "Evolutionary multi-objective channel pruning (EMO-DIR) of convolutional networks.",
        subcommands = {
            CommandLine.HelpCommand.class,
            InfoCommand.class,
            EvalCommand.class,
            TrainCommand.class,
            PruneCommand.class,
            BenchCommand.class,
            ExportCommand.class,
            DownloadCommand.class,
            DoctorCommand.class
        },
        footer = {
            "",
            "Exit codes: 0 success, 1 run failed (bad input or I/O error), 2 usage error.",
            "Data directory: --data, else $EMODIR_DATA, else ../shared beside the project."
        })
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            cmd.getErr().println("emodir: " + ex.getMessage());
            if (System.getenv("EMODIR_DEBUG") != null) {
                ex.printStackTrace(cmd.getErr());
            }
            return 1;
        });
        return cl;
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }
}
