/**
 * Internal to the EMO-DIR pipeline ({@link org.emodir.emodir.PruneJob}): no compatibility promise; embed through
 * {@link org.emodir.EmoDir} instead.
 *
 * <p>Fixed calibration / held-out image subsets and the dense network's features on them, cached off-heap. */
package org.emodir.internal.features;
