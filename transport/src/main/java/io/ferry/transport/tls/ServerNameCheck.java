package io.ferry.transport.tls;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * RFC 6125 host name check of a server certificate: an IP literal must equal one of its IP SANs, a
 * DNS name one of its DNS SANs (case-insensitive; {@code *.} matches exactly one leftmost label).
 * The subject CN is not consulted (SANs are mandatory for Ferry's server certificates).
 */
final class ServerNameCheck {
  private static final int SAN_DNS = 2;
  private static final int SAN_IP = 7;
  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

  private ServerNameCheck() {}

  static void check(X509Certificate cert, String host) throws CertificateException {
    if (host == null || host.isEmpty())
      throw new CertificateException("cannot check the name of server " + cert.getSubjectX500Principal() + ": the connection was opened without a host name");
    String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    boolean ip = IPV4.matcher(h).matches() || h.contains(":");
    List<String> names = new ArrayList<>();
    InetAddress wanted = null;
    if (ip) {
      try {
        wanted = InetAddress.getByName(h); // a literal: no lookup
      } catch (UnknownHostException e) {
        throw new CertificateException("'" + host + "' is not a valid IP address", e);
      }
    }
    for (List<?> san : altNames(cert)) {
      int type = (Integer) san.get(0);
      String value = String.valueOf(san.get(1));
      if (type == SAN_IP) {
        names.add(value);
        if (ip && sameAddress(wanted, value)) return;
      } else if (type == SAN_DNS) {
        names.add(value);
        if (!ip && dnsMatches(value, h)) return;
      }
    }
    throw new CertificateException("server certificate " + cert.getSubjectX500Principal() + " is not valid for '" + host + "' (it names " + (names.isEmpty() ? "no host" : String.join(", ", names))
        + "); connect with one of those names, or issue the server a certificate that includes '" + host + "'");
  }

  private static Collection<List<?>> altNames(X509Certificate cert) throws CertificateException {
    try {
      Collection<List<?>> sans = cert.getSubjectAlternativeNames();
      return sans == null ? List.of() : sans;
    } catch (CertificateParsingException e) {
      throw new CertificateException("cannot read the subject alternative names of " + cert.getSubjectX500Principal(), e);
    }
  }

  private static boolean sameAddress(InetAddress wanted, String san) {
    try {
      return InetAddress.getByName(san).equals(wanted);
    } catch (UnknownHostException e) {
      return false;
    }
  }

  private static boolean dnsMatches(String pattern, String host) {
    String p = strip(pattern.toLowerCase(Locale.ROOT));
    String h = strip(host.toLowerCase(Locale.ROOT));
    if (!p.startsWith("*.")) return p.equals(h);
    int dot = h.indexOf('.');
    return dot > 0 && h.substring(dot + 1).equals(p.substring(2));
  }

  private static String strip(String s) {
    return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
  }
}
