package org.emodir.engine;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.emodir.eval.EvaluationData;
import org.emodir.eval.PopulationEvaluator;
import org.emodir.evo.Nsga2;
import org.emodir.evo.Nsga2Config;
import org.emodir.program.SubnetProgram;

/**
 * NSGA-II on a {@link MaskEvaluationProblem} over {@link TinyPrograms#classifier}, checkpointed atomically
 * after every generation. {@link #main} is the child JVM of {@link Nsga2KillResumeTest}: it resumes from the
 * checkpoint when one exists, reads one byte of stdin before each generation (the parent paces it; at EOF it
 * runs freely), prints {@code generation N} after each saved generation, and {@code front ...} lines (raw
 * double bits) at the end.
 */
final class CheckpointedMaskRun {
    static final int POPULATION = 16, BATCH = 8, THREADS = 1, MIN_KEEP = 1;
    static final long SEED = 20260325L;

    private CheckpointedMaskRun() {}

    /** Args: checkpoint file, generations. */
    public static void main(String[] args) {
        Path checkpoint = Path.of(args[0]);
        int generations = Integer.parseInt(args[1]);
        run(checkpoint, generations, CheckpointedMaskRun::awaitGo, System.out);
    }

    private static void awaitGo() {
        try {
            System.in.read(); // -1 at EOF: no more pacing
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Runs (or resumes) to {@code generations}; returns the final first-front objectives. */
    static double[][] run(Path checkpoint, int generations, Runnable beforeGeneration, PrintStream out) {
        SubnetProgram program = TinyPrograms.classifier(7);
        EvaluationData data = TinyPrograms.data(program, BATCH, 8);
        try (PopulationEvaluator evaluator = new NativeCpuEvaluator(program, data, THREADS)) {
            MaskEvaluationProblem problem = new MaskEvaluationProblem(program, evaluator, MIN_KEEP, POPULATION);
            Nsga2 nsga2;
            if (checkpoint != null && Files.exists(checkpoint)) {
                nsga2 = Nsga2.resume(checkpoint, problem);
            } else {
                nsga2 = new Nsga2(problem, Nsga2Config.binaryDefaults(POPULATION, SEED, problem.genes()));
                if (checkpoint != null) nsga2.saveState(checkpoint);
            }
            while (nsga2.generation() < generations) {
                beforeGeneration.run();
                nsga2.step();
                if (checkpoint != null) nsga2.saveState(checkpoint);
                if (out != null) {
                    out.println("generation " + nsga2.generation());
                    out.flush();
                }
            }
            double[][] front = nsga2.firstFrontObjectives();
            if (out != null) {
                for (double[] point : front) {
                    out.println("front " + Long.toHexString(Double.doubleToRawLongBits(point[0])) + " "
                            + Long.toHexString(Double.doubleToRawLongBits(point[1])));
                }
                out.println("done");
                out.flush();
            }
            return front;
        }
    }
}
