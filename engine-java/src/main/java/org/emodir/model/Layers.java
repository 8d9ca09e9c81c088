package org.emodir.model;

import java.util.List;

/** The layer vocabulary of {@link NetSpec}. Names are PyTorch state_dict prefixes. */
public final class Layers {
    private Layers() {}

    /**
     * Conv followed by BatchNorm (every conv in the supported networks has one).
     *
     * @param bias whether the conv has a bias (the CIFAR VGG's convs do, the ResNets' do not)
     */
    public record Conv(String name, String bn, int in, int out, int kernel, int stride, int pad, boolean bias) {
        public long[] weightShape() {
            return new long[] {out, in, kernel, kernel};
        }

        public int outSize(int size) {
            return (size + 2 * pad - kernel) / stride + 1;
        }
    }

    public record Linear(String name, int in, int out) {}

    /** A network block; {@code conv -> bn -> relu} chains with a residual for the ResNet blocks. */
    public sealed interface Block permits Basic, Bottleneck, Plain {
        List<Conv> convs();

        int outChannels();
    }

    /** CIFAR basic block with the option-A shortcut (subsample + zero-pad) when the shape changes. */
    public record Basic(Conv conv1, Conv conv2) implements Block {
        public List<Conv> convs() {
            return List.of(conv1, conv2);
        }

        public int outChannels() {
            return conv2.out();
        }

        public boolean needsShortcut() {
            return conv1.stride() != 1 || conv1.in() != conv2.out();
        }
    }

    /** torchvision bottleneck (stride on conv2); {@code downsample} is null for identity shortcuts. */
    public record Bottleneck(Conv conv1, Conv conv2, Conv conv3, Conv downsample) implements Block {
        public List<Conv> convs() {
            return downsample == null ? List.of(conv1, conv2, conv3) : List.of(conv1, conv2, conv3, downsample);
        }

        public int outChannels() {
            return conv3.out();
        }
    }

    /** VGG conv-bn-relu. */
    public record Plain(Conv conv) implements Block {
        public List<Conv> convs() {
            return List.of(conv);
        }

        public int outChannels() {
            return conv.out();
        }
    }

    /** Max pooling of kernel {@code kernel}, stride {@code stride}, padding {@code pad}. */
    public record Pool(int kernel, int stride, int pad) {
        public int outSize(int size) {
            return (size + 2 * pad - kernel) / stride + 1;
        }
    }

    /**
     * Blocks run in order, then the optional pool. For the ResNets a stage is a {@code layerK}; for VGG the
     * convs between two poolings (the pool ends the stage).
     */
    public record Stage(String name, List<Block> blocks, Pool pool) {
        public int outChannels() {
            return blocks.get(blocks.size() - 1).outChannels();
        }

        public int inChannels() {
            return blocks.get(0).convs().get(0).in();
        }
    }

    /** Stem convs (possibly none) and optional max pool. */
    public record Stem(List<Conv> convs, Pool pool) {}
}
