package dev.herald.doctor;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.security.cert.Certificate;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;

/**
 * Step 3: the port speaks what the scheme says. With https: the TLS handshake, and a certificate a
 * browser would accept (trusted, not expired, issued for the host). With http: the port does not
 * expect TLS. When the scheme is wrong, the next steps go on with the scheme the port speaks; when
 * the certificate is bad, without certificate checks; so the rest of the path is still examined.
 */
final class TlsCheck {
  static final String STEP = "tls";
  private static final Duration EXPIRY_WARNING = Duration.ofDays(14);

  private TlsCheck() {}

  record Result(List<StepResult> results, Target next) {}

  static Result check(Connector connector, Target target, BroadcastSettings s, Clock clock) {
    List<StepResult> out = new ArrayList<>();
    X509Certificate[] chain;
    try {
      chain = inspect(connector, target);
    } catch (IOException e) {
      out.add(
          StepResult.fail(
              STEP, "cannot connect to " + target.authority() + " again", e.toString(), null));
      return new Result(out, target);
    }
    boolean speaksTls = chain != null;
    if (!target.tls()) {
      if (!speaksTls) {
        out.add(
            StepResult.pass(
                STEP,
                "no TLS on "
                    + target.authority()
                    + ", as "
                    + s.variable("SCHEME")
                    + "=http says (ws://, http://)"));
        return new Result(out, target);
      }
      out.add(
          StepResult.fail(
              STEP,
              s.variable("SCHEME") + "=http but " + target.authority() + " speaks TLS (https)",
              "http vs https: the port expects a TLS handshake, so plain ws:// and http:// requests fail",
              "set "
                  + s.variable("SCHEME")
                  + "=https and "
                  + s.viteVariable("SCHEME")
                  + "=https (broadcasting.php turns on useTLS from it), then rebuild the front end"));
      Target https = target.withScheme("https");
      out.add(certificate(connector, https, chain, clock, s));
      return new Result(out, verified(out) ? https : https.withoutCertificateChecks());
    }
    if (!speaksTls) {
      out.add(
          StepResult.fail(
              STEP,
              s.variable("SCHEME") + "=https but " + target.authority() + " does not speak TLS",
              "http vs https: the TLS handshake got a plain-HTTP answer",
              "set "
                  + s.variable("SCHEME")
                  + "=http and "
                  + s.viteVariable("SCHEME")
                  + "=http, or serve TLS on this port (HERALD_TLS_CERT/HERALD_TLS_KEY, or a TLS proxy in front)"));
      return new Result(out, target.withScheme("http"));
    }
    out.add(certificate(connector, target, chain, clock, s));
    return new Result(out, verified(out) ? target : target.withoutCertificateChecks());
  }

  private static boolean verified(List<StepResult> out) {
    return out.get(out.size() - 1).verdict() != Verdict.FAIL;
  }

  /** The server's chain when the port completes a TLS handshake (any certificate), else null. */
  private static X509Certificate[] inspect(Connector connector, Target target) throws IOException {
    Socket plain = connector.openTcp(target.host(), target.port());
    try (plain) {
      try (SSLSocket socket = connector.handshake(plain, target, false)) {
        Certificate[] certificates = socket.getSession().getPeerCertificates();
        X509Certificate[] chain = new X509Certificate[certificates.length];
        for (int i = 0; i < certificates.length; i++) {
          chain[i] = (X509Certificate) certificates[i];
        }
        return chain;
      } catch (SSLException | java.io.EOFException | java.net.SocketTimeoutException e) {
        // Not a TLS answer, or no answer at all to a ClientHello: not a TLS port.
        return null;
      } catch (java.net.SocketException e) {
        // Some plain servers reset the connection on a ClientHello.
        return null;
      }
    }
  }

  /** The handshake a browser would do, and why it fails if it does. */
  private static StepResult certificate(
      Connector connector,
      Target target,
      X509Certificate[] chain,
      Clock clock,
      BroadcastSettings s) {
    X509Certificate leaf = chain[0];
    String subject = leaf.getSubjectX500Principal().getName();
    String names = String.join(", ", subjectNames(leaf));
    Instant notAfter = leaf.getNotAfter().toInstant();
    LocalDate until = LocalDate.ofInstant(notAfter, ZoneOffset.UTC);
    // Checked first and by hand: a certificate trusted directly (--cacert, a pinned self-signed
    // one) is a trust anchor, and the JDK does not check an anchor's dates during the handshake.
    try {
      leaf.checkValidity(java.util.Date.from(clock.instant()));
    } catch (CertificateExpiredException expired) {
      return StepResult.fail(
          STEP,
          "the certificate of " + target.authority() + " (" + names + ") expired on " + until,
          "browsers and PHP refuse expired certificates",
          "renew it (certbot renew, or your CA) and reload the server or proxy");
    } catch (CertificateNotYetValidException early) {
      return StepResult.fail(
          STEP,
          "the certificate of "
              + target.authority()
              + " is not valid before "
              + leaf.getNotBefore().toInstant(),
          "this machine's clock or the certificate's start date is wrong",
          "check the clock (NTP) or reissue the certificate");
    }
    try (Socket socket = connector.open(target.withScheme("https"))) {
      String protocol = ((SSLSocket) socket).getSession().getProtocol();
      Duration left = Duration.between(clock.instant(), notAfter);
      if (left.compareTo(EXPIRY_WARNING) < 0) {
        return StepResult.warn(
            STEP,
            protocol
                + ", certificate for "
                + names
                + " expires "
                + until
                + " (in "
                + left.toDays()
                + " day(s))",
            "clients refuse it from then on",
            "renew the certificate (certbot renew, or your CA) and reload the server or proxy");
      }
      return StepResult.pass(
          STEP, protocol + ", trusted certificate for " + names + ", valid until " + until);
    } catch (IOException e) {
      if (!matches(target.host(), leaf)) {
        return StepResult.fail(
            STEP,
            "the certificate is for " + names + ", not " + target.host(),
            "the host name does not match the certificate, so browsers and PHP refuse it",
            "use a certificate that covers "
                + target.host()
                + ", or set "
                + s.variable("HOST")
                + " (and "
                + s.viteVariable("HOST")
                + ") to a name it covers");
      }
      boolean selfSigned = leaf.getSubjectX500Principal().equals(leaf.getIssuerX500Principal());
      return StepResult.fail(
          STEP,
          "the certificate for "
              + names
              + " is not trusted"
              + (selfSigned
                  ? " (self-signed)"
                  : " (issuer " + leaf.getIssuerX500Principal().getName() + ")"),
          "no trusted authority signed it (" + rootCause(e) + "); browsers and PHP refuse it too",
          selfSigned
              ? "use a certificate from a public CA (e.g. Let's Encrypt) in production; for Herald's development certificate pass --cacert FILE (HERALD_TLS_SELF_SIGNED_CERT_OUT) and trust it in the browser"
              : "serve the full chain (fullchain.pem, not cert.pem), or pass --cacert FILE for a private CA ("
                  + subject
                  + ")");
    }
  }

  private static String rootCause(Throwable e) {
    Throwable cause = e;
    while (cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause.getMessage();
  }

  private static List<String> subjectNames(X509Certificate certificate) {
    List<String> names = new ArrayList<>();
    try {
      Collection<List<?>> alternatives = certificate.getSubjectAlternativeNames();
      if (alternatives != null) {
        for (List<?> name : alternatives) {
          Integer type = (Integer) name.get(0);
          if (type == 2 || type == 7) {
            names.add(String.valueOf(name.get(1)));
          }
        }
      }
    } catch (CertificateParsingException ignored) {
      // Fall back to the common name below.
    }
    if (names.isEmpty()) {
      names.add(certificate.getSubjectX500Principal().getName());
    }
    return names;
  }

  /** RFC 6125 matching in short: exact DNS name, one-label wildcard, or exact IP address. */
  static boolean matches(String host, X509Certificate certificate) {
    String wanted = host.toLowerCase(Locale.ROOT);
    boolean ip = isAddressLiteral(wanted);
    for (String name : subjectNames(certificate)) {
      String candidate = name.toLowerCase(Locale.ROOT);
      if (ip ? sameAddress(candidate, wanted) : dnsMatches(candidate, wanted)) {
        return true;
      }
    }
    return false;
  }

  private static boolean isAddressLiteral(String name) {
    return name.matches("[0-9.]+") || name.contains(":");
  }

  /** Both literals, so no DNS lookup happens. */
  private static boolean sameAddress(String candidate, String wanted) {
    if (!isAddressLiteral(candidate)) {
      return false;
    }
    try {
      return InetAddress.getByName(candidate).equals(InetAddress.getByName(wanted));
    } catch (IOException notAnAddress) {
      return false;
    }
  }

  private static boolean dnsMatches(String candidate, String wanted) {
    if (candidate.equals(wanted)) {
      return true;
    }
    if (!candidate.startsWith("*.")) {
      return false;
    }
    String suffix = candidate.substring(1);
    return wanted.endsWith(suffix) && wanted.indexOf('.') == wanted.length() - suffix.length();
  }
}
