package io.ferry.nbd;

/**
 * What a server-side handshake settled: the export and how to talk about it.
 *
 * @param exportName the name as resolved (never "" unless the export is really called "")
 * @param source the bytes behind it
 * @param structuredReplies whether the client negotiated structured replies
 * @param allocationContextId id of base:allocation if the client selected it, else -1
 * @param transmissionFlags flags sent to the client
 */
record ServerSession(String exportName, ExportSource source, boolean structuredReplies,
                     int allocationContextId, int transmissionFlags) {
}
