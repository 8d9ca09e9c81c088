/** Fixed calibration / held-out image subsets and the dense network's features on them, cached off-heap. */
package org.emodir.emodir.features;
