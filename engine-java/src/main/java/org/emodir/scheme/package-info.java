/**
 * From measured fronts to one network: the pruning target, the whole network's cost, the GPIR ranking and greedy
 * scheme ({@link org.emodir.scheme.GpirRanker}), the exact multiple-choice knapsack
 * ({@link org.emodir.scheme.JointSchemeSolver}) and the trade-off curve over targets.
 */
package org.emodir.scheme;
