package org.emodir.eval;

import java.util.AbstractList;

/**
 * Evaluation parts loaded one at a time into reused buffers (e.g. decoded from a bfloat16 feature store): the part that
 * {@link #get} returns is valid until the next {@code get}, so a consumer must use the parts one after another and not
 * keep them. Evaluators that stream parts keep this list instead of copying it.
 */
public abstract class StreamedParts extends AbstractList<EvaluationData> {}
