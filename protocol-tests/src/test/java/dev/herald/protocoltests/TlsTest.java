package dev.herald.protocoltests;

import static dev.herald.protocoltests.Frames.event;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS on the server's own port: a development certificate from {@code --tls-self-signed}, or a PEM
 * certificate and key from {@code HERALD_TLS_CERT} / {@code HERALD_TLS_KEY}. Clients trust exactly
 * the certificate the test knows, with hostname verification on.
 */
class TlsTest {

  private static final Pattern FINGERPRINT =
      Pattern.compile("TLS certificate SHA-256 fingerprint: ((?:[0-9A-F]{2}:){31}[0-9A-F]{2})");

  @TempDir Path dir;

  @Test
  void selfSignedCertificatePrintsItsFingerprintAndServesWssAndHttps() throws Exception {
    Path certOut = dir.resolve("herald-dev-cert.pem");
    try (HeraldProcess herald =
        HeraldProcess.withDefaults()
            .env("HERALD_TLS_SELF_SIGNED_CERT_OUT", certOut.toString())
            .args("--tls-self-signed")
            .tls()
            .start()) {
      assertTrue(Files.isRegularFile(certOut), "no certificate written to " + certOut);
      X509Certificate certificate = SelfSignedCertificate.read(certOut);

      Matcher printed = FINGERPRINT.matcher(herald.output());
      assertTrue(printed.find(), herald::output);
      assertEquals(fingerprint(certificate), printed.group(1), "printed fingerprint");

      assertServesTls(herald, SelfSignedCertificate.trustingClient(certificate));
    }
  }

  @Test
  void selfSignedServerRefusesPlainWebSocketAndPlainHttp() throws Exception {
    Path certOut = dir.resolve("herald-dev-cert.pem");
    try (HeraldProcess herald =
        HeraldProcess.withDefaults()
            .env("HERALD_TLS_SELF_SIGNED_CERT_OUT", certOut.toString())
            .args("--tls-self-signed")
            .tls()
            .start()) {
      assertPlainTrafficFails(herald);
    }
  }

  @Test
  void pemCertificateAndKeyFromTheEnvironmentServeWssAndHttps() throws Exception {
    SelfSignedCertificate pem =
        SelfSignedCertificate.generateRsa(
            List.of(),
            2,
            SelfSignedCertificate.LOOPBACK,
            dir.resolve("cert.pem"),
            dir.resolve("key.pem"));
    try (HeraldProcess herald =
        HeraldProcess.withDefaults()
            .env("HERALD_TLS_CERT", pem.certificate().toString())
            .env("HERALD_TLS_KEY", pem.privateKey().toString())
            .tls()
            .start()) {
      HttpClient client = pem.trustingClient();
      assertServesTls(herald, client);
      assertPlainTrafficFails(herald);
    }
  }

  @Test
  void clientThatDoesNotTrustTheCertificateCannotConnect() throws Exception {
    Path certOut = dir.resolve("herald-dev-cert.pem");
    try (HeraldProcess herald =
        HeraldProcess.withDefaults()
            .env("HERALD_TLS_SELF_SIGNED_CERT_OUT", certOut.toString())
            .args("--tls-self-signed")
            .tls()
            .start()) {
      HttpClient defaultTrust = HttpClient.newBuilder().build();
      HttpRequest up = HttpRequest.newBuilder(URI.create(herald.httpBase() + "/up")).build();
      assertThrows(
          IOException.class, () -> defaultTrust.send(up, HttpResponse.BodyHandlers.ofString()));
    }
  }

  // ---- helpers ---------------------------------------------------------------------------------

  /** {@code https:///up}, a wss:// connection and a signed HTTP API call over https. */
  private static void assertServesTls(HeraldProcess herald, HttpClient client) throws Exception {
    assertTrue(herald.httpBase().startsWith("https://"), herald.httpBase());
    HttpResponse<String> up =
        client.send(
            HttpRequest.newBuilder(URI.create(herald.httpBase() + "/up"))
                .timeout(Duration.ofSeconds(10))
                .build(),
            HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    assertEquals(200, up.statusCode(), up.body());
    Json.assertJson("{\"status\":\"ok\"}", Json.parse(up.body()));

    assertTrue(herald.wsUrl().startsWith("wss://"), herald.wsUrl());
    String channel = Unique.name("tls-");
    try (RawClient socket = RawClient.open(herald.wsUrl(), client, Map.of())) {
      socket.subscribeOk(channel);
      ApiClient api =
          new ApiClient(
              herald.apiBase(),
              herald.path(),
              HeraldProcess.APP_ID,
              HeraldProcess.APP_KEY,
              HeraldProcess.APP_SECRET,
              client);
      api.trigger(channel, "secure", "s");
      socket.assertNext(event(channel, "secure", "s"));
    }
  }

  /** ws:// and http:// to the TLS port both fail: the port speaks TLS only. */
  private static void assertPlainTrafficFails(HeraldProcess herald) throws InterruptedException {
    HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    String wsUrl =
        "ws://127.0.0.1:" + herald.port() + "/app/" + HeraldProcess.APP_KEY + "?protocol=7";
    CompletableFuture<WebSocket> upgrade =
        plain.newWebSocketBuilder().buildAsync(URI.create(wsUrl), new WebSocket.Listener() {});
    try {
      WebSocket socket = upgrade.get(10, TimeUnit.SECONDS);
      socket.abort();
      fail("plain ws:// upgrade to the TLS port succeeded");
    } catch (ExecutionException expected) {
      // The TLS port cannot answer a plain-text upgrade.
    } catch (TimeoutException e) {
      fail("plain ws:// upgrade to the TLS port neither failed nor succeeded within 10 s");
    }

    HttpRequest up =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + herald.port() + "/up"))
            .timeout(Duration.ofSeconds(10))
            .build();
    try {
      HttpResponse<String> response = plain.send(up, HttpResponse.BodyHandlers.ofString());
      assertTrue(
          response.statusCode() != 200,
          () -> "plain http:// GET /up answered 200: " + response.body());
    } catch (IOException expected) {
      // The connection is dropped or the reply is not HTTP: either way not served.
    }
  }

  /** Upper-case colon-separated hex SHA-256 of the DER encoding. */
  private static String fingerprint(X509Certificate certificate) throws GeneralSecurityException {
    byte[] digest = MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded());
    return HexFormat.ofDelimiter(":").withUpperCase().formatHex(digest);
  }
}
