/** Per-sub-network NSGA-II over channel masks: exact cost model, native-evaluated problem, checkpointed search, fronts. */
package org.emodir.emodir.search;
