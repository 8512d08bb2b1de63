package io.ferry.nbd;

import java.util.Map;

/**
 * What the client handshake settled with the server.
 *
 * @param size export size in bytes
 * @param transmissionFlags the 16 transmission flags (NBD_FLAG_*)
 * @param structuredReplies whether NBD_OPT_STRUCTURED_REPLY was accepted
 * @param metaContexts negotiated meta context name to id, in server order
 * @param minBlockSize minimum block size (1 if not given)
 * @param preferredBlockSize preferred block size (4096 if not given)
 * @param maxBlockSize maximum payload size (32 MiB if not given)
 */
record NegotiatedExport(long size, int transmissionFlags, boolean structuredReplies,
                        Map<String, Integer> metaContexts, int minBlockSize,
                        int preferredBlockSize, int maxBlockSize) {
}
