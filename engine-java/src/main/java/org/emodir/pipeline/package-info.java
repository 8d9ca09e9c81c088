/**
 * EMO-DIR end to end: {@link org.emodir.pipeline.PruneConfig} (settings, validation) and
 * {@link org.emodir.pipeline.PruneJob}, a sequence of checkpointed phases from records to records whose results
 * are assembled into a {@link org.emodir.report.RunReport} at the end.
 */
package org.emodir.pipeline;
