package dev.herald.tls;

import dev.herald.config.ConfigException;
import dev.herald.config.TlsConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.Locale;

/**
 * The certificate and key the server presents: read from PEM files, or generated at start for
 * development ({@code --tls-self-signed}). Immutable.
 */
public record TlsCertificate(
    String certificatePem, String privateKeyPem, String sha256Fingerprint) {

  /** The certificate {@code tls} asks for, or null when TLS is off. */
  public static TlsCertificate load(TlsConfig tls) {
    if (!tls.enabled()) {
      return null;
    }
    if (tls.certPath() != null) {
      try {
        String cert = Files.readString(Path.of(tls.certPath()), StandardCharsets.US_ASCII);
        String key = Files.readString(Path.of(tls.keyPath()), StandardCharsets.US_ASCII);
        return new TlsCertificate(cert, key, fingerprint(cert));
      } catch (IOException e) {
        throw new ConfigException(
            tls.certPath(), "cannot read the TLS certificate or key: " + e.getMessage());
      }
    }
    TlsCertificate generated = selfSigned();
    if (tls.selfSignedCertOut() != null) {
      try {
        Files.writeString(Path.of(tls.selfSignedCertOut()), generated.certificatePem());
      } catch (IOException e) {
        throw new ConfigException(
            "env HERALD_TLS_SELF_SIGNED_CERT_OUT",
            "cannot write " + tls.selfSignedCertOut() + ": " + e.getMessage());
      }
    }
    return generated;
  }

  /** An ECDSA P-256 certificate for localhost, 127.0.0.1 and ::1, valid for 90 days. */
  static TlsCertificate selfSigned() {
    try {
      DevelopmentCertificate.Generated generated = DevelopmentCertificate.generate();
      String certPem = pem("CERTIFICATE", generated.certificate());
      String keyPem = pem("PRIVATE KEY", generated.keys().getPrivate().getEncoded());
      return new TlsCertificate(certPem, keyPem, fingerprint(certPem));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Cannot generate a development certificate", e);
    }
  }

  /** PEM: base64 in 64-character lines; the private key in PKCS#8, which every TLS stack reads. */
  private static String pem(String label, byte[] der) {
    return "-----BEGIN "
        + label
        + "-----\n"
        + java.util.Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
            .encodeToString(der)
        + "\n-----END "
        + label
        + "-----\n";
  }

  /** SHA-256 of the first certificate's DER bytes, as {@code AA:BB:…}. */
  private static String fingerprint(String certificatePem) {
    try {
      X509Certificate certificate =
          (X509Certificate)
              CertificateFactory.getInstance("X.509")
                  .generateCertificate(
                      new java.io.ByteArrayInputStream(
                          certificatePem.getBytes(StandardCharsets.US_ASCII)));
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded());
      return HexFormat.ofDelimiter(":").withUpperCase().formatHex(digest).toUpperCase(Locale.ROOT);
    } catch (GeneralSecurityException e) {
      throw new ConfigException(
          "TLS certificate", "not a PEM X.509 certificate: " + e.getMessage());
    }
  }
}
