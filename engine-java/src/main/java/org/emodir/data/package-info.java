/**
 * Datasets and loaders.
 *
 * <ul>
 *   <li>{@link org.emodir.data.Datasets}: CIFAR-10/100 official binaries, ImageFolder trees (the shared
 *       CIFAR-10 JPEGs, the ImageNet sample), each as an {@link org.emodir.data.ImageDataset} of off-heap
 *       uint8 planar CHW pixels.</li>
 *   <li>{@link org.emodir.data.ImageCache}: decoded ImageFolder pixels in a memory-mapped file, mapped as {@link org.emodir.data.PixelSegments} of at most 1 GiB (so caches beyond 2 GiB work),
 *       ({@link org.emodir.data.CacheHeader} layout), validated by count, geometry and a file-list
 *       fingerprint, rebuilt atomically when stale.</li>
 *   <li>Geometry ({@link org.emodir.data.ImageGeometry}): CIFAR stored 32x32; ImageNet stored as the final
 *       evaluation crop (shorter side 256 by antialias-free bilinear, centre 224x224).</li>
 *   <li>{@link org.emodir.data.DataLoader}: seeded shuffling and crop/flip
 *       ({@link org.emodir.data.Augmentation}) per epoch, normalisation
 *       ({@link org.emodir.data.Normalization}), batches in one reused float32 NCHW buffer.</li>
 *   <li>{@link org.emodir.data.CifarDownloader}: checksum-verified, resumable download and extraction.</li>
 * </ul>
 */
package org.emodir.data;
