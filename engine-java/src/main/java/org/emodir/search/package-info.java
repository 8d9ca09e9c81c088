/**
 * Divide and conquer: the network cut into sub-networks ({@link org.emodir.search.SubnetSplit}), one NSGA-II per
 * sub-network over its channel bits ({@link org.emodir.search.MaskProblem}, {@link org.emodir.search.SubnetSearch}),
 * and the resulting fronts ({@link org.emodir.search.SubnetFront}, {@link org.emodir.search.SubnetSolution}).
 */
package org.emodir.search;
