/** Divide and conquer: a network cut into independently searched sub-networks (one per stage) and their decision vectors. */
package org.emodir.emodir.split;
