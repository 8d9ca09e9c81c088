package org.emodir.model;

/**
 * One prunable channel set: the output channels of the conv named {@code name} (and its BN), which are
 * consumed only by the next conv of the same block, so they can be removed without touching any residual.
 *
 * @param index      position in {@link NetSpec#prunableGroups()} and in {@link ChannelConfig}
 * @param name       state_dict prefix of the conv producing the channels, e.g. {@code layer1.0.conv1}
 * @param denseWidth channel count of the unpruned network
 * @param stage      stage the group lives in (0-based; ResNet layer1 = 0, VGG block between poolings)
 * @param block      block the group lives in, counted over the whole network ({@link NetSpec#numBlocks()})
 */
public record ChannelGroup(int index, String name, int denseWidth, int stage, int block) {}
