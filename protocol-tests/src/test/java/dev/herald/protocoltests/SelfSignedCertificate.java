package dev.herald.protocoltests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A self-signed certificate made by the {@code openssl} command (what an operator would use for a
 * first test), as PEM files: the certificate doubles as the CA file clients trust.
 *
 * @param certificate the PEM certificate
 * @param privateKey the unencrypted PEM private key
 */
record SelfSignedCertificate(Path certificate, Path privateKey) {

  /** The names a loopback test connects to, as openssl's {@code subjectAltName}. */
  static final String LOOPBACK = "IP:127.0.0.1,DNS:localhost";

  /**
   * Writes a 2-day EC P-256 {@code cert.pem} and {@code key.pem} for {@link #LOOPBACK} into {@code
   * dir}; skips the test without openssl.
   */
  static SelfSignedCertificate generate(Path dir) throws IOException, InterruptedException {
    return openssl(
        List.of(),
        List.of("ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"),
        2,
        LOOPBACK,
        dir.resolve("cert.pem"),
        dir.resolve("key.pem"));
  }

  /**
   * Writes an RSA 2048 certificate for {@code subjectAltName} (e.g. {@code DNS:other.test}) and its
   * key, valid for {@code days} from the time openssl sees; skips the test without openssl.
   *
   * @param wrapper a command that runs openssl, e.g. {@code faketime -f -400d} for a certificate
   *     that has already expired; empty for none
   */
  static SelfSignedCertificate generateRsa(
      List<String> wrapper, int days, String subjectAltName, Path certificate, Path privateKey)
      throws IOException, InterruptedException {
    return openssl(wrapper, List.of("rsa:2048"), days, subjectAltName, certificate, privateKey);
  }

  private static SelfSignedCertificate openssl(
      List<String> wrapper,
      List<String> newKey,
      int days,
      String subjectAltName,
      Path cert,
      Path key)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(wrapper);
    command.addAll(List.of("openssl", "req", "-x509", "-newkey"));
    command.addAll(newKey);
    command.addAll(
        List.of(
            "-nodes",
            "-keyout",
            key.toString(),
            "-out",
            cert.toString(),
            "-days",
            Integer.toString(days),
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=" + subjectAltName));
    Process process;
    try {
      process = new ProcessBuilder(command).redirectErrorStream(true).start();
    } catch (IOException e) {
      Prerequisite.unmet(
          "openssl is not available to generate a certificate (apt-get install openssl): " + e);
      throw e;
    }
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(60, TimeUnit.SECONDS), "openssl did not finish");
    assertEquals(0, process.exitValue(), () -> "openssl failed:\n" + output);
    return new SelfSignedCertificate(cert, key);
  }

  /** An HTTP client that trusts exactly this certificate (hostname verification stays on). */
  HttpClient trustingClient() throws IOException, GeneralSecurityException {
    return trustingClient(read(certificate));
  }

  /** A TLS context that trusts exactly this certificate. */
  SSLContext trustingContext() throws IOException, GeneralSecurityException {
    return trustingContext(read(certificate));
  }

  /** An HTTP client that trusts exactly {@code trusted} (hostname verification stays on). */
  static HttpClient trustingClient(X509Certificate trusted)
      throws IOException, GeneralSecurityException {
    return HttpClient.newBuilder()
        .sslContext(trustingContext(trusted))
        .connectTimeout(Duration.ofSeconds(5))
        .build();
  }

  /** A TLS context that trusts exactly {@code trusted}. */
  static SSLContext trustingContext(X509Certificate trusted)
      throws IOException, GeneralSecurityException {
    KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
    store.load(null, null);
    store.setCertificateEntry("herald-test", trusted);
    TrustManagerFactory factory =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    factory.init(store);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, factory.getTrustManagers(), null);
    return context;
  }

  /** The certificate in the PEM file {@code pem}. */
  static X509Certificate read(Path pem) throws IOException, GeneralSecurityException {
    try (InputStream in = Files.newInputStream(pem)) {
      return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
  }
}
