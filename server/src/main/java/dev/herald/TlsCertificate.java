package dev.herald;

import dev.herald.config.ConfigException;
import dev.herald.config.TlsConfig;
import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HexFormat;
import java.util.Locale;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The certificate and key the server presents: read from PEM files, or generated at start for
 * development ({@code --tls-self-signed}). Immutable.
 */
record TlsCertificate(String certificatePem, String privateKeyPem, String sha256Fingerprint) {

  /** The certificate {@code tls} asks for, or null when TLS is off. */
  static TlsCertificate load(TlsConfig tls) {
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

  /** An ECDSA P-256 certificate for localhost and 127.0.0.1, valid for 90 days. */
  static TlsCertificate selfSigned() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
      KeyPair keys = generator.generateKeyPair();
      X500Name subject = new X500Name("CN=localhost, O=Herald development certificate");
      Instant now = Instant.now();
      JcaX509v3CertificateBuilder builder =
          new JcaX509v3CertificateBuilder(
              subject,
              new BigInteger(64, new SecureRandom()),
              Date.from(now.minus(Duration.ofMinutes(5))),
              Date.from(now.plus(Duration.ofDays(90))),
              subject,
              keys.getPublic());
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      builder.addExtension(
          Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
      builder.addExtension(
          Extension.subjectAlternativeName,
          false,
          new GeneralNames(
              new GeneralName[] {
                new GeneralName(GeneralName.dNSName, "localhost"),
                new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
                new GeneralName(GeneralName.iPAddress, "::1")
              }));
      X509CertificateHolder holder =
          builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate()));
      String certPem = pem(holder);
      String keyPem = pkcs8Pem(keys.getPrivate().getEncoded());
      return new TlsCertificate(certPem, keyPem, fingerprint(certPem));
    } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
      throw new IllegalStateException("Cannot generate a development certificate", e);
    }
  }

  /** PKCS#8 ("BEGIN PRIVATE KEY"), the key format every TLS stack reads. */
  private static String pkcs8Pem(byte[] der) {
    return "-----BEGIN PRIVATE KEY-----\n"
        + java.util.Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
            .encodeToString(der)
        + "\n-----END PRIVATE KEY-----\n";
  }

  private static String pem(Object object) throws IOException {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(object);
    }
    return out.toString();
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
