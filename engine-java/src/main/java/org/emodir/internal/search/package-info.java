/**
 * Internal to the EMO-DIR pipeline ({@link org.emodir.emodir.PruneJob}): no compatibility promise; embed through
 * {@link org.emodir.EmoDir} instead.
 *
 * <p>Per-sub-network NSGA-II over channel masks: exact cost model, native-evaluated problem, checkpointed search, fronts. */
package org.emodir.internal.search;
