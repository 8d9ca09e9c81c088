/** Whole-network measurements run natively: GPIR of front solutions, whole-network masks from images, rank correlation. */
package org.emodir.emodir.gpir;
