package org.emodir.scheme;

import org.emodir.search.SubnetSolution;

/**
 * One row of the global performance impairment ranking.
 *
 * @param score global impairment per unit of whole-network FLOPs fraction removed (lower is better)
 * @param rank  1-based position in the ranking
 */
public record GpirEntry(
        int subnet, SubnetSolution solution, long macsRemoved, double impairment, double score, int rank) {}
