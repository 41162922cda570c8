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
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Assumptions;

/**
 * A self-signed certificate for {@code localhost} and {@code 127.0.0.1} made by the {@code openssl}
 * command (what an operator would use for a first test), as PEM files: the certificate doubles as
 * the CA file clients trust.
 *
 * @param certificate the PEM certificate
 * @param privateKey the unencrypted PEM private key
 */
record SelfSignedCertificate(Path certificate, Path privateKey) {

  /**
   * Writes {@code cert.pem} and {@code key.pem} into {@code dir}; skips the test without openssl.
   */
  static SelfSignedCertificate generate(Path dir) throws IOException, InterruptedException {
    Path cert = dir.resolve("cert.pem");
    Path key = dir.resolve("key.pem");
    List<String> command =
        List.of(
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            key.toString(),
            "-out",
            cert.toString(),
            "-days",
            "2",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=IP:127.0.0.1,DNS:localhost");
    Process process;
    try {
      process = new ProcessBuilder(command).redirectErrorStream(true).start();
    } catch (IOException e) {
      Assumptions.assumeTrue(false, "openssl is not available to generate a certificate: " + e);
      throw e;
    }
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(60, TimeUnit.SECONDS), "openssl did not finish");
    assertEquals(0, process.exitValue(), () -> "openssl failed:\n" + output);
    return new SelfSignedCertificate(cert, key);
  }

  /** An HTTP client that trusts exactly this certificate (hostname verification stays on). */
  HttpClient trustingClient() throws IOException, GeneralSecurityException {
    return HttpClient.newBuilder()
        .sslContext(trustingContext())
        .connectTimeout(Duration.ofSeconds(5))
        .build();
  }

  /** A TLS context that trusts exactly this certificate. */
  SSLContext trustingContext() throws IOException, GeneralSecurityException {
    X509Certificate x509;
    try (InputStream in = Files.newInputStream(certificate)) {
      x509 = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
    KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
    store.load(null, null);
    store.setCertificateEntry("herald-test", x509);
    TrustManagerFactory factory =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    factory.init(store);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, factory.getTrustManagers(), null);
    return context;
  }
}
