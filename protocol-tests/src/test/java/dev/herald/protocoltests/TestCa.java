package dev.herald.protocoltests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throw-away certificate authority made with the {@code openssl} command, and the certificates it
 * issues: for a TLS server that is verified against a CA file (as a managed Redis is) rather than
 * trusted directly. Immutable.
 *
 * @param certificate the CA's PEM certificate (the CA file a client trusts)
 * @param privateKey the CA's PEM private key
 */
record TestCa(Path certificate, Path privateKey) {

  /** A certificate the CA issued and its key, both PEM. */
  record Issued(Path certificate, Path privateKey) {}

  /** Creates a CA valid for 2 days in {@code dir}, its files named after {@code name}. */
  static TestCa create(Path dir, String name) throws IOException, InterruptedException {
    Path cert = dir.resolve(name + "-ca.pem");
    Path key = dir.resolve(name + "-ca.key");
    openssl(newKey(key, cert, "/CN=Herald test CA " + name));
    return new TestCa(cert, key);
  }

  /**
   * Issues a certificate for the loopback names ({@link SelfSignedCertificate#LOOPBACK}), usable by
   * a server or a client.
   */
  Issued issue(Path dir, String name) throws IOException, InterruptedException {
    Path cert = dir.resolve(name + ".pem");
    Path key = dir.resolve(name + ".key");
    List<String> command = newKey(key, cert, "/CN=localhost");
    command.addAll(
        List.of(
            "-addext",
            "subjectAltName=" + SelfSignedCertificate.LOOPBACK,
            "-addext",
            "basicConstraints=critical,CA:FALSE",
            "-CA",
            certificate.toString(),
            "-CAkey",
            privateKey.toString()));
    openssl(command);
    return new Issued(cert, key);
  }

  private static List<String> newKey(Path key, Path cert, String subject) {
    return new ArrayList<>(
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
            subject));
  }

  private static void openssl(List<String> command) throws IOException, InterruptedException {
    Process process;
    try {
      process = new ProcessBuilder(command).redirectErrorStream(true).start();
    } catch (IOException e) {
      Prerequisite.unmet("openssl is not available to make a test CA (apt-get install openssl)");
      throw e;
    }
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(60, TimeUnit.SECONDS), "openssl did not finish");
    assertEquals(0, process.exitValue(), () -> "openssl failed:\n" + output);
  }
}
