package org.emodir.spark;

import java.io.Serializable;

/**
 * One Spark task's share of a generation: individuals {@code [start, start + count)} of evaluation call {@code call}
 * (counted per evaluator), their masks one byte per gene.
 */
record Chunk(int call, int index, int start, int count, byte[] masks) implements Serializable {}
