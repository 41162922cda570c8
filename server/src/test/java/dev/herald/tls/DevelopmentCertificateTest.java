package dev.herald.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class DevelopmentCertificateTest {

  private static X509Certificate parse(byte[] der) throws Exception {
    return (X509Certificate)
        CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
  }

  @Test
  void theJdkReadsItAsAServerCertificateForLocalhostSignedByItsOwnKey() throws Exception {
    DevelopmentCertificate.Generated generated = DevelopmentCertificate.generate();
    X509Certificate certificate = parse(generated.certificate());

    certificate.verify(generated.keys().getPublic()); // throws when the signature is wrong
    assertEquals(generated.keys().getPublic(), certificate.getPublicKey());
    assertEquals(3, certificate.getVersion());
    assertEquals("SHA256withECDSA", certificate.getSigAlgName());
    assertEquals(
        "O=Herald development certificate,CN=localhost",
        certificate.getSubjectX500Principal().getName());
    assertEquals(-1, certificate.getBasicConstraints(), "not a CA");
    assertTrue(certificate.getCriticalExtensionOIDs().contains("2.5.29.19"));
    assertEquals(List.of("1.3.6.1.5.5.7.3.1"), certificate.getExtendedKeyUsage());
    assertEquals(
        List.of(List.of(2, "localhost"), List.of(7, "127.0.0.1"), List.of(7, "0:0:0:0:0:0:0:1")),
        certificate.getSubjectAlternativeNames().stream().toList());
    assertTrue(certificate.getSerialNumber().signum() > 0);
  }

  @Test
  void itIsValidFromJustBeforeNowForNinetyDays() throws Exception {
    Instant now = Instant.now();
    X509Certificate certificate = parse(DevelopmentCertificate.generate().certificate());
    Instant notBefore = certificate.getNotBefore().toInstant();
    Instant notAfter = certificate.getNotAfter().toInstant();
    assertTrue(notBefore.isBefore(now) && notBefore.isAfter(now.minus(Duration.ofMinutes(6))));
    assertEquals(Duration.ofDays(90).plusMinutes(5), Duration.between(notBefore, notAfter));
  }
}
