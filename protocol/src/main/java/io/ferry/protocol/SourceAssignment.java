package io.ferry.protocol;

/**
 * Replicate one machine of this host into a repository on a recovery agent.
 *
 * @param domain the libvirt domain name (also the machine name in the repository)
 * @param recoveryHostId the recovery agent's id: its certificate's common name must match
 * @param recoveryDataAddress host:port of the recovery agent's data port
 * @param copyFrequencySeconds start a cycle this long after the previous one started
 * @param allowResync a cycle may resynchronise by digests if change tracking was lost
 * @param compressionLevel zstd level of the repository (0 = store uncompressed)
 * @param encryptionKey base64 repository key when the repository is encrypted, else null
 * @param syncRequest when non-null and different from the last one served: run a cycle now (final sync of a
 *                    planned failover), even if the domain is shut off
 */
public record SourceAssignment(String protectedMachineId, String domain, String domainUuid, String repository,
                               String recoveryHostId, String recoveryDataAddress, int copyFrequencySeconds,
                               long bandwidthLimitBytesPerSecond, boolean allowResync, int compressionLevel,
                               String encryptionKey, String syncRequest) {}
