package org.emodir.cli;

import java.net.URI;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.emodir.data.CifarDownloader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Fetches a public dataset from its official URL, verifies its checksum and extracts it. */
@Command(
        name = "download",
        mixinStandardHelpOptions = true,
        description = "Download CIFAR-10/100 (binary version) from the official site, verify MD5, extract.",
        footer = {
            "",
            "Examples:",
            "  emodir download cifar10 --dir ~/data",
            "  emodir download cifar100 --dir ~/data --mirror http://127.0.0.1:8000/"
        })
final class DownloadCommand implements Callable<Integer> {
    enum DatasetName {
        cifar10,
        cifar100
    }

    @Parameters(index = "0", description = "Dataset: ${COMPLETION-CANDIDATES}")
    DatasetName dataset;

    @Option(names = "--dir", required = true, description = "Folder to download and extract into.")
    Path dir;

    @Option(
            names = "--mirror",
            description = "Base URL instead of ${DEFAULT-VALUE}.",
            defaultValue = "https://www.cs.toronto.edu/~kriz/")
    URI mirror;

    @Option(names = "--json", description = "Print one JSON object instead of text.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        CifarDownloader.Archive archive =
                dataset == DatasetName.cifar10 ? CifarDownloader.CIFAR10 : CifarDownloader.CIFAR100;
        Path folder = new CifarDownloader(mirror).ensure(archive, dir);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("dataset", dataset.name());
        out.put("path", folder.toAbsolutePath().toString());
        out.put("md5", archive.md5());
        Output.print(out, json);
        return 0;
    }
}
