/**
 * Repository blobs over the network: the replication data channel between two agents. The source
 * agent opens its {@link io.ferry.repository.Repository} over a {@link
 * io.ferry.transport.blobs.RemoteBlobStore} (usually wrapped in a {@link
 * io.ferry.transport.blobs.RetryingBlobStore}); hashing, compression and encryption happen there,
 * and only finished blobs cross the wire. The recovery agent runs a {@link
 * io.ferry.transport.blobs.BlobServer} that stores them in the stores its {@link
 * io.ferry.transport.blobs.BlobAccess} hands out per peer and repository.
 *
 * <p>Public API: {@code BlobServer}, {@code BlobAccess}, {@code RemoteBlobStore}, {@code
 * RetryingBlobStore}, {@code RetryPolicy}, {@code PeerUnavailableException}.
 *
 * <p>The wire is a strict subset of HTTP/1.1 over mutual TLS 1.3 (docs/formats.md, "Replication
 * data channel (agent to agent)"): {@code PUT/GET/HEAD/DELETE /repositories/<repo>/blobs/<key>},
 * {@code GET /repositories/<repo>/list?prefix=} (chunked lines ending with {@code .end <count>}),
 * {@code POST /repositories/<repo>/sync}, {@code GET /hello}. Being HTTP, it can be inspected with
 * {@code curl --cert}.
 *
 * <p>Why our own HTTP/1.1 subset on {@code SSLServerSocket}/{@code SSLSocket} rather than
 * {@code com.sun.net.httpserver.HttpsServer} and {@code java.net.http.HttpClient}: measured on this
 * project's 2-core machines, 256 KiB puts from 4 threads over loopback TLS reached ~350-380 MB/s
 * with HttpClient (against either server) and ~830 MB/s with blocking SSLSockets, whose bodies go
 * from the caller's array into TLS records with no flow-control layers in between; and
 * HttpClient has no read timeout for response bodies nor a bound on a blocked write, while the
 * channel must fail within its timeout when a peer dies (socket read timeouts plus a {@code
 * Watchdog} that closes connections without progress). One virtual thread per server connection.
 *
 * <p>Package-private, each named for what it holds: {@code BlobServerConnection} (one accepted
 * connection's request loop), {@code BlobRoute} (parsed request target), {@code ServerAnswer}
 * (error → status), {@code PeerConnectionPool}, {@code PeerConnection}, {@code Watchdog}, {@code
 * Progress}, {@code PeerResponse}, {@code RemoteErrors} (exceptions with address, repository and
 * hint), {@code HttpHead}, {@code WireInput}/{@code WireOutput}, {@code ChunkedBodyInput}/{@code
 * ChunkedBodyOutput}, {@code ErrorBody} (the small JSON error object), {@code BlobKeyRules}, {@code
 * WireFormatException}.
 *
 * <p>May depend on: the JDK, {@code io.ferry.repository} (the BlobStore contract and its
 * exceptions) and {@code io.ferry.transport.tls} (peer names). Knows nothing of repositories'
 * contents: blobs are opaque bytes here.
 */
package io.ferry.transport.blobs;
