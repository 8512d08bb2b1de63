/**
 * The Ferry repository: a content-addressed, immutable store of recovery points of VM disks.
 *
 * <p>What lives here, outside in: {@link io.ferry.repository.Repository} (chunks, Merkle disk
 * indexes, point manifests, verify, GC, encryption) on top of the narrow {@link
 * io.ferry.repository.BlobStore} interface and its local implementation {@link
 * io.ferry.repository.LocalDirectoryStore}. Every byte written is described in {@code
 * docs/formats.md}; the classes that write and read those bytes are named after them ({@code
 * BlobFrameWriter}/{@code BlobFrameReader}, {@code IndexPage}, {@code PointManifestCodec}, {@code
 * RepositoryConfigCodec}, {@code KeyRing}).
 *
 * <p>May depend on: the JDK, zstd-jni and Jackson only. Storage knows nothing of HTTP, NBD or
 * libvirt; retry, rate limits, metrics and caching are added by wrapping a {@code BlobStore}.
 */
package io.ferry.repository;
