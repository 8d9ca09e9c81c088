package org.emodir.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.emodir.eval.EvaluationData;
import org.emodir.eval.Objectives;
import org.emodir.eval.PopulationMasks;
import org.emodir.model.TorchRuntime;
import org.emodir.program.SubnetProgram;

/**
 * Child-JVM body of {@link NativeLoadOrderTest}: loads the native engine and libtorch in the order the argument names
 * ({@code native-first}: the engine evaluating on its threads while libtorch loads; {@code torch-first}; {@code
 * concurrent}: several threads of each at once), uses both, and exits 0. A crash exits otherwise.
 */
public final class LoadOrderMain {
    private LoadOrderMain() {}

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "native-first" -> {
                Thread t = new Thread(() -> evaluateNative(40));
                t.start();
                Thread.sleep(20);
                useTorch();
                t.join();
            }
            case "torch-first" -> {
                useTorch();
                evaluateNative(5);
            }
            case "concurrent" -> {
                CountDownLatch go = new CountDownLatch(1);
                List<Thread> threads = new ArrayList<>();
                for (int i = 0; i < 6; i++) {
                    boolean nativeFirst = i % 2 == 0;
                    threads.add(new Thread(() -> {
                        try {
                            go.await();
                        } catch (InterruptedException e) {
                            throw new IllegalStateException(e);
                        }
                        if (nativeFirst) evaluateNative(10);
                        else useTorch();
                    }));
                }
                threads.forEach(Thread::start);
                go.countDown();
                for (Thread t : threads) t.join();
            }
            default -> throw new IllegalArgumentException(args[0]);
        }
        System.out.println("ok");
    }

    private static void evaluateNative(int rounds) {
        SubnetProgram program = TinyPrograms.classifier(1);
        EvaluationData data = TinyPrograms.data(program, 16, 2);
        try (NativeCpuEvaluator e = new NativeCpuEvaluator(program, data, 2)) {
            PopulationMasks masks = new PopulationMasks(8, program.numGenes());
            for (int p = 0; p < 8; p++) for (int g = 0; g < program.numGenes(); g++) masks.set(p, g, true);
            Objectives out = new Objectives(8);
            for (int i = 0; i < rounds; i++) e.evaluate(masks, 8, out);
        }
    }

    private static void useTorch() {
        TorchRuntime.init();
        try (PointerScope scope = new PointerScope()) {
            Tensor x = torch.ones(4, 8, 8, 8);
            Tensor w = torch.ones(8, 8, 3, 3);
            if (torch.conv2d(x, w).sum().item_double() <= 0) throw new IllegalStateException("wrong convolution");
        }
    }
}
