package org.emodir.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.emodir.data.DataDirs;
import org.emodir.testdata.SharedFixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The script-facing contract of the launcher's subcommands: JSON fields and exit codes. */
class CliTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    record Run(int exit, String out, String err) {}

    static Run run(String... args) {
        PrintStream stdout = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        StringWriter err = new StringWriter();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            CommandLine cl = Main.commandLine();
            cl.setErr(new PrintWriter(err, true));
            int exit = cl.execute(args);
            return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString());
        } finally {
            System.setOut(stdout);
        }
    }

    @Test
    void infoJsonHasTheStandardResNet56Figures() throws Exception {
        Run r = run("info", "--model", "resnet56", "--json");
        assertEquals(0, r.exit(), r.err());
        JsonNode j = JSON.readTree(r.out());
        assertEquals(125.49e6, j.get("macs").asDouble(), 0.01 * 125.49e6);
        assertEquals(0.85e6, j.get("params").asDouble(), 0.01 * 0.85e6);
        assertEquals(27, j.get("prunable_groups").size());
        assertEquals(3, j.get("subnets").size());
        Run half = run("info", "--model", "resnet56", "--subnets-per-stage", "2", "--json");
        JsonNode h = JSON.readTree(half.out());
        assertEquals(6, h.get("subnets").size());
        assertEquals("layer1.5-8", h.get("subnets").get(1).get("name").asText());
        long sum = 0;
        for (JsonNode sn : h.get("subnets")) sum += sn.get("macs").asLong();
        long stages = 0;
        for (JsonNode m : h.get("stage_macs")) stages += m.asLong();
        assertEquals(stages, sum, "half-stages tile the stages");
    }

    @Test
    void evalJsonContract() throws Exception {
        Path weights = DataDirs.cifar10Models().resolve(SharedFixtures.RESNET20);
        Run r = run(
                "eval",
                "--model",
                "resnet20",
                "--weights",
                weights.toString(),
                "--data",
                DataDirs.cifar10Jpg().toString(),
                "--cache",
                SharedFixtures.CACHE.toString(),
                "--split",
                "test",
                "--per-class",
                "20",
                "--json");
        assertEquals(0, r.exit(), r.err());
        JsonNode j = JSON.readTree(r.out());
        assertEquals(200, j.get("images").asInt());
        for (String field : new String[] {"top1", "top5", "seconds"})
            assertTrue(j.has(field), field + " in " + r.out());
        assertTrue(j.get("top1").asDouble() > 0.6, "pretrained ResNet-20 top-1 " + j.get("top1"));
        assertTrue(j.get("top5").asDouble() >= j.get("top1").asDouble());
    }

    @Test
    void wrongWeightsFailWithExitCodeOneNamingTheTensor() throws Exception {
        Path weights = DataDirs.cifar10Models().resolve(SharedFixtures.RESNET20);
        Run r = run("eval", "--model", "resnet56", "--weights", weights.toString(), "--per-class", "1");
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("layer1.3") || r.err().contains("missing"), r.err());
    }

    /** doctor --json: the host facts and a probe whose counts agree with each other and with this host's kind. */
    @Test
    void doctorJsonReportsTheHostKindAndAConsistentProbe() throws Exception {
        Run r = run("doctor", "--json");
        assertEquals(0, r.exit(), r.err());
        JsonNode j = JSON.readTree(r.out());
        for (String f : new String[] {
            "cpu_model",
            "isa",
            "processors",
            "cache_sizes_visible",
            "threads",
            "libtorch",
            "onednn",
            "plain_mkldnn_trusted",
            "conv_probe",
            "conv_routing",
            "native_kernel_isa",
            "cuda"
        }) {
            assertTrue(j.has(f), "field " + f + " in " + r.out());
        }
        boolean visible = org.emodir.model.conv.HostInfo.detect().cacheSizesVisible();
        assertEquals(visible, j.get("cache_sizes_visible").asBoolean());
        assertEquals(
                visible,
                j.get("plain_mkldnn_trusted").asBoolean(),
                "plain mkldnn is trusted exactly where caches are visible");
        JsonNode probe = j.get("conv_probe");
        assertEquals(26, probe.get("shapes").asInt());
        assertEquals(
                probe.get("wrong").asInt(),
                probe.get("routed").asInt(),
                "the probe routes exactly the shapes plain gets wrong");
        assertEquals(probe.get("wrong").asInt(), probe.get("wrong_shapes").size());
        assertTrue(
                j.get("native_kernel_isa").asText().matches("x86-64-v4 \\(AVX-512\\)|x86-64-v3 \\(AVX2\\)|baseline"));
        assertTrue(j.get("cuda").has("device"));
    }

    @Test
    void usageErrorsExitWithTwo() {
        assertEquals(2, run("eval", "--no-such-option").exit());
        assertEquals(2, run("eval", "--batch-size", "many").exit());
    }

    @Test
    void invalidValuesAreNamed() {
        Run r = run("eval", "--model", "resnet20", "--batch-size", "0");
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("--batch-size"), r.err());
    }

    @Test
    void downloadRejectsAnArchiveWithTheWrongChecksum(@TempDir Path dir) throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        byte[] body = "not the CIFAR archive".getBytes(StandardCharsets.UTF_8);
        server.createContext("/", ex -> {
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.start();
        try {
            String mirror = "http://127.0.0.1:" + server.getAddress().getPort() + "/";
            Run r = run("download", "cifar10", "--dir", dir.toString(), "--mirror", mirror);
            assertEquals(1, r.exit());
            assertTrue(r.err().contains("cifar-10-binary.tar.gz") && r.err().contains("checksum"), r.err());
            assertTrue(Files.notExists(dir.resolve("cifar-10-batches-bin")));
            assertTrue(Files.notExists(dir.resolve("cifar-10-binary.tar.gz")));
        } finally {
            server.stop(0);
        }
    }
}
