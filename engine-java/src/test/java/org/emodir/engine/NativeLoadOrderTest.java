package org.emodir.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The native engine and libtorch load in one process in either order and from several threads at once without a
 * crash (issue 12: a SIGSEGV in libtorch's load once the engine's threads ran). Each order runs in fresh child JVMs,
 * repeated, since the fault was intermittent.
 */
class NativeLoadOrderTest {
    private static final int REPEATS = Integer.getInteger("emodir.loadorder.repeats", 3);

    @ParameterizedTest
    @ValueSource(strings = {"native-first", "torch-first", "concurrent"})
    void bothLibrariesLoadInThisOrderWithoutACrash(String order) throws Exception {
        String java = ProcessHandle.current()
                .info()
                .command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (int i = 0; i < REPEATS; i++) {
            Process p = new ProcessBuilder(List.of(
                            java,
                            "--add-opens",
                            "java.base/jdk.internal.misc=ALL-UNNAMED",
                            "-XX:ErrorFile="
                                    + Path.of(System.getProperty("java.io.tmpdir"), "emodir-loadorder-hs_err_%p.log"),
                            "-cp",
                            System.getProperty("java.class.path"),
                            LoadOrderMain.class.getName(),
                            order))
                    .redirectErrorStream(true)
                    .start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(120, TimeUnit.SECONDS)) p.destroyForcibly();
            String text = new String(out, StandardCharsets.UTF_8);
            assertEquals(0, p.exitValue(), order + " run " + i + " exited " + p.exitValue() + ":\n" + text);
            assertEquals(true, text.contains("ok"), order + " run " + i + ":\n" + text);
        }
    }
}
