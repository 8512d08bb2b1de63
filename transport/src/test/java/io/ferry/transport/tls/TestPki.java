package io.ferry.transport.tls;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** A CA in a directory and identities issued by it, as the vault and agents would hold them. */
final class TestPki {
  final CertificateAuthority ca;

  TestPki(Path dir, String name) throws TlsException {
    this.ca = CertificateAuthority.createOrLoad(dir, name);
  }

  /** An agent identity made the way an agent gets one: request → vault signs → join. */
  TlsIdentity agent(String agentId) throws TlsException {
    CertificateRequest req = CertificateRequest.generate("ignored-" + agentId);
    return req.identity(ca.signAgent(req.csrPem(), agentId, Duration.ofDays(30)), ca.certificate());
  }

  TlsIdentity server(String... names) {
    return ca.issueServer("vault", List.of(names), Duration.ofDays(30));
  }
}
