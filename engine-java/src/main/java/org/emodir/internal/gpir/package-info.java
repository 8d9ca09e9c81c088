/**
 * Internal to the EMO-DIR pipeline ({@link org.emodir.emodir.PruneJob}): no compatibility promise; embed through
 * {@link org.emodir.EmoDir} instead.
 *
 * <p>Whole-network measurements run natively: GPIR of front solutions, whole-network masks from images, rank correlation. */
package org.emodir.internal.gpir;
