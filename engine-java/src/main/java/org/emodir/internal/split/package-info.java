/**
 * Internal to the EMO-DIR pipeline ({@link org.emodir.emodir.PruneJob}): no compatibility promise; embed through
 * {@link org.emodir.EmoDir} instead.
 *
 * <p>Divide and conquer: a network cut into independently searched sub-networks (one per stage or part of a stage) and their decision vectors. */
package org.emodir.internal.split;
