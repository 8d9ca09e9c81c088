/**
 * Run plumbing: {@link org.emodir.run.AtomicFiles} (write, fsync, rename), the checksummed
 * {@link org.emodir.run.CheckpointStore}, the locked {@link org.emodir.run.RunDirectory}, and the root of emodir's
 * errors, {@link org.emodir.run.EmodirException}. Its own errors are the public
 * {@link org.emodir.run.RunDirectoryException} and {@link org.emodir.run.CorruptCheckpointException}.
 */
package org.emodir.run;
