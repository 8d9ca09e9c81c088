/**
 * Part of the EMO-DIR pipeline ({@link org.emodir.pipeline.PruneJob}).
 *
 * <p>Fixed calibration / held-out image subsets and the dense network's features on them, cached off-heap. */
package org.emodir.features;
