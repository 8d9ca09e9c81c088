/**
 * Global performance impairment: each front solution's whole-network held-out cross-entropy increase with only its
 * sub-network pruned, measured natively ({@link org.emodir.gpir.GpirMeasurer}) or with BatchNorm statistics
 * recalibrated first ({@link org.emodir.gpir.AdaptiveBnGpirMeasurer}); whole-network masks evaluated alike.
 */
package org.emodir.gpir;
