/**
 * Internal file plumbing ({@link org.emodir.internal.io.AtomicFiles} write-fsync-rename, run directories,
 * checkpoint stores): no compatibility promise. Its errors are the public {@link org.emodir.RunDirectoryException}
 * and {@link org.emodir.CorruptCheckpointException}.
 */
package org.emodir.internal.io;
