/**
 * Networks for channel pruning: {@link org.emodir.model.NetSpec} (architecture + channel configuration, the
 * single source of shapes and PyTorch state_dict names), {@link org.emodir.model.TorchNet} (functional
 * libtorch execution with stage-level entry points), {@link org.emodir.model.Flops} (MACs/params) and
 * {@link org.emodir.model.ChannelPruner} (physical removal of channels).
 *
 * <p>Prunable channel groups are the widths internal to a block (basic block: conv1 output; bottleneck:
 * conv1 and conv2 outputs; VGG: every conv output). Residual-tied widths are never prunable.
 */
package org.emodir.model;
