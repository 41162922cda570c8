package dev.herald.protocoltests;

import static dev.herald.protocoltests.ChannelsTest.event;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Caddyfiles shipped in {@code config/caddy/}, each run as it is (site address, tls line and
 * upstream port replaced, see {@link CaddyProcess}) by a real Caddy that ends TLS in front of a
 * Herald process: the same pusher-js and {@code pusher} SDK suite as behind nginx
 * (node/proxy.test.mjs), both signature styles under the prefix, the body limit, and the client
 * address Caddy forwards.
 *
 * <p>Skipped, saying why, only where Caddy is not installed; {@code .ci/run} installs Debian's.
 */
class CaddyProxyTest {

  private static final String PREFIX = "/ws";

  /** Herald's default {@code max_request_size} (README, Server table). */
  private static final int MAX_REQUEST_SIZE = 262_144;

  @TempDir static Path dir;

  private static SelfSignedCertificate certificate;
  private static HttpClient https;
  private static HeraldProcess ownHostHerald;
  private static CaddyProcess ownHost;
  private static HeraldProcess prefixHerald;
  private static CaddyProcess prefix;

  @BeforeAll
  static void startHeraldsBehindCaddy() throws Exception {
    Assumptions.assumeTrue(
        CaddyProcess.binary().isPresent(),
        "caddy is not installed (neither on PATH nor /usr/bin/caddy), so the shipped Caddyfiles"
            + " are not tested here; `apt-get install caddy` (.ci/run does) to run them");
    certificate = SelfSignedCertificate.generate(dir);
    https = certificate.trustingClient();

    ownHostHerald = HeraldProcess.withDefaults().start();
    ownHost =
        CaddyProcess.start(
            shipped("herald-own-host.Caddyfile"),
            Files.createDirectories(dir.resolve("own-host")),
            "ws.example.com",
            ownHostHerald.port(),
            certificate);

    prefixHerald = HeraldProcess.withDefaults().env("REVERB_SERVER_PATH", PREFIX).start();
    prefix =
        CaddyProcess.start(
            shipped("herald-path-prefix.Caddyfile"),
            Files.createDirectories(dir.resolve("path-prefix")),
            "example.com",
            prefixHerald.port(),
            certificate);
  }

  @AfterAll
  static void stopAll() throws Exception {
    for (AutoCloseable process :
        new AutoCloseable[] {ownHost, prefix, ownHostHerald, prefixHerald}) {
      if (process != null) {
        process.close();
      }
    }
  }

  @Test
  void ownHostCaddyfileCarriesPusherJsOverWssAndTheSdkOverHttps() throws Exception {
    runNodeSuite(ownHost, ownHostHerald, "");
  }

  @Test
  void pathPrefixCaddyfileCarriesPusherJsWithWsPathAndTheSdkUnderThePrefix() throws Exception {
    runNodeSuite(prefix, prefixHerald, PREFIX);
  }

  @Test
  void underThePrefixApiSignaturesWithAndWithoutThePrefixBothPass() throws Exception {
    ApiClient api =
        new ApiClient(
            "https://127.0.0.1:" + prefix.port() + PREFIX,
            PREFIX,
            HeraldProcess.APP_ID,
            HeraldProcess.APP_KEY,
            HeraldProcess.APP_SECRET,
            https);
    String channel = Unique.name("caddy-prefix-");
    String url =
        "wss://127.0.0.1:"
            + prefix.port()
            + PREFIX
            + "/app/"
            + HeraldProcess.APP_KEY
            + "?protocol=7&client=js&version=8.4.0&flash=false";
    try (RawClient socket = RawClient.open(url, https, Map.of())) {
      socket.subscribeOk(channel);
      ApiClient.Response withoutPrefix =
          api.request("POST", "/events").body(eventBody(channel, "php-style")).send();
      assertEquals(200, withoutPrefix.status(), withoutPrefix::body);
      socket.assertNext(event(channel, "php-style", "d"));
      ApiClient.Response withPrefix =
          api.request("POST", "/events")
              .body(eventBody(channel, "full-path"))
              .signedWithPrefix()
              .send();
      assertEquals(200, withPrefix.status(), withPrefix::body);
      socket.assertNext(event(channel, "full-path", "d"));
      socket.assertPingPong();
    }
  }

  @Test
  void bodiesOverHeraldsMaxRequestSizeAreRefusedByCaddy() throws Exception {
    for (CaddyProcess caddy : List.of(ownHost, prefix)) {
      String path = caddy == prefix ? PREFIX : "";
      HttpResponse<String> response =
          https.send(
              HttpRequest.newBuilder(
                      URI.create(
                          "https://127.0.0.1:"
                              + caddy.port()
                              + path
                              + "/apps/"
                              + HeraldProcess.APP_ID
                              + "/events"))
                  .timeout(Duration.ofSeconds(10))
                  .POST(HttpRequest.BodyPublishers.ofString("x".repeat(MAX_REQUEST_SIZE + 1)))
                  .build(),
              HttpResponse.BodyHandlers.ofString());

      // Caddy 2.6 answers 413 when it meets the limit before proxying starts, and 502 when it
      // meets it while streaming the body upstream (its log then says "HTTP 413: request body too
      // large"); either way the body never reaches Herald whole. Seen both ways in CI.
      int status = response.statusCode();
      assertTrue(
          status == 413 || status == 502, () -> status + " " + response.body() + caddy.logs());
    }
  }

  @Test
  void withTrustedProxiesTheConnectionLimitCountsEachClientCaddyForwards(@TempDir Path tmp)
      throws Exception {
    try (HeraldProcess herald =
            HeraldProcess.withDefaults()
                .env("HERALD_CONNECTIONS_PER_IP_PER_SECOND", "1")
                .env("HERALD_TRUSTED_PROXIES", "127.0.0.1")
                .start();
        CaddyProcess caddy =
            CaddyProcess.start(
                shipped("herald-own-host.Caddyfile"),
                tmp,
                "ws.example.com",
                herald.port(),
                certificate)) {
      long start = System.nanoTime();
      assertEquals(101, upgradeStatus(caddy, "127.0.0.2", null));
      assertEquals(101, upgradeStatus(caddy, "127.0.0.3", null));
      // Naming another address in X-Forwarded-For buys no fresh allowance.
      assertEquals(101, upgradeStatus(caddy, "127.0.0.4", "127.0.0.50"));
      ReverseProxies.assertRefusedInTheSameSecond(
          start, upgradeStatus(caddy, "127.0.0.4", "127.0.0.51"));
      ReverseProxies.assertRefusedInTheSameSecond(start, upgradeStatus(caddy, "127.0.0.2", null));
    }
  }

  // ---- helpers ---------------------------------------------------------------------------------

  private static int upgradeStatus(CaddyProcess caddy, String from, String forwardedFor)
      throws Exception {
    return ReverseProxies.upgradeStatus(
        certificate, caddy.port(), "", from, forwardedFor, caddy::logs);
  }

  private static void runNodeSuite(CaddyProcess caddy, HeraldProcess herald, String path)
      throws Exception {
    try {
      NodeInteropTest.runSuite(
          "proxy.test.mjs",
          herald,
          Map.of(
              "HERALD_PORT",
              Integer.toString(caddy.port()),
              "HERALD_WS_PATH",
              path,
              "HERALD_PROXY",
              "caddy",
              "NODE_EXTRA_CA_CERTS",
              certificate.certificate().toString()));
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "\n" + caddy.logs(), e);
    }
  }

  private static String eventBody(String channel, String name) {
    return Json.write(Map.of("name", name, "channel", channel, "data", "d"));
  }

  private static Path shipped(String name) {
    Path file = Path.of(System.getProperty("herald.config.dir", "../config"), "caddy", name);
    Assumptions.assumeTrue(Files.isRegularFile(file), "no shipped Caddyfile at " + file);
    return file;
  }
}
