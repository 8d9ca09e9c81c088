package org.emodir.model.conv;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.bytedeco.pytorch.global.torch;

/**
 * The child process that runs convolution checks for {@link IsolatedChecker}. On an affected host a check of the
 * plain path can kill its process (oneDNN 3.7 divides by the zero cache size in its 1x1 backward blocking: SIGFPE),
 * so no untrusted kernel ever runs in the caller's JVM. Protocol, one line each way:
 * {@code <route> <ConvShape fields>} (tab-separated) -> {@code @emodir ok|fail <forward> <dX> <dW>} or {@code @emodir error
 * <message>}. Native libraries may print to the same stdout; the caller skips lines without the prefix.
 */
public final class ConvCheckServer {
    static final String PREFIX = "@emodir ";

    private ConvCheckServer() {}

    public static void main(String[] args) throws Exception {
        PrintStream out =
                new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true, StandardCharsets.UTF_8);
        System.setOut(System.err); // libraries' chatter must not corrupt the protocol
        torch.globalContext().setUserEnabledNNPACK(false);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        out.println(PREFIX + "ready");
        for (String line; (line = in.readLine()) != null; ) {
            try {
                String[] f = line.split("\t");
                ConvRoute route = ConvRoute.parse(f[0]);
                ConvShape shape = ConvShape.parse(java.util.Arrays.copyOfRange(f, 1, f.length));
                torch.set_num_threads(shape.threads());
                ConvVerifier.Check c = ConvVerifier.check(shape, route::apply);
                out.printf(
                        Locale.ROOT,
                        PREFIX + "%s %s %s %s%n",
                        c.ok() ? "ok" : "fail",
                        c.forwardError(),
                        c.inputGradError(),
                        c.weightGradError());
            } catch (RuntimeException e) {
                out.println(PREFIX + "error " + String.valueOf(e.getMessage()).replace('\n', ' '));
            }
        }
    }
}
