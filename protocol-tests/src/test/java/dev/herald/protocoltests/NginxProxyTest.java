package dev.herald.protocoltests;

import static dev.herald.protocoltests.ChannelsTest.event;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
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
 * The nginx site files shipped in {@code config/nginx/}, each run as it is (only ports and
 * certificate paths replaced, see {@link NginxProcess}) by a real nginx that ends TLS in front of a
 * Herald process: pusher-js and the {@code pusher} SDK go through it (node/proxy.test.mjs), and the
 * checks below cover what those clients cannot show: both signature styles under the prefix, the
 * http redirect, the body limit, and timeouts that outlast Herald's own liveness checks.
 *
 * <p>Skipped, saying why, only where nginx is not installed; {@code .ci/run} installs Debian's.
 */
class NginxProxyTest {

  private static final String PREFIX = "/ws";

  /** Herald's defaults (README, Apps table): the longest a healthy socket stays silent. */
  private static final int PING_INTERVAL_SECONDS = 60;

  private static final int PONG_TIMEOUT_SECONDS = 30;

  /** Herald's default {@code max_request_size} (README, Server table). */
  private static final int MAX_REQUEST_SIZE = 262_144;

  @TempDir static Path dir;

  private static SelfSignedCertificate certificate;
  private static HttpClient https;
  private static HeraldProcess ownHostHerald;
  private static NginxProcess ownHost;
  private static HeraldProcess prefixHerald;
  private static NginxProcess prefix;

  @BeforeAll
  static void startHeraldsBehindNginx() throws Exception {
    Assumptions.assumeTrue(
        NginxProcess.binary().isPresent(),
        "nginx is not installed (neither on PATH nor /usr/sbin/nginx), so the shipped nginx"
            + " configs are not tested here; `apt-get install nginx` (.ci/run does) to run them");
    certificate = SelfSignedCertificate.generate(dir);
    https = certificate.trustingClient();

    ownHostHerald = HeraldProcess.withDefaults().start();
    ownHost =
        NginxProcess.start(
            shipped("herald-own-host.conf"),
            Files.createDirectories(dir.resolve("own-host")),
            Map.of("https", "listen 443 ssl;", "http", "listen 80;"),
            "server 127.0.0.1:8080;",
            ownHostHerald.port(),
            certificate);

    prefixHerald = HeraldProcess.withDefaults().env("REVERB_SERVER_PATH", PREFIX).start();
    prefix =
        NginxProcess.start(
            shipped("herald-path-prefix.conf"),
            Files.createDirectories(dir.resolve("path-prefix")),
            Map.of("https", "listen 443 ssl;"),
            "server 127.0.0.1:8080;",
            prefixHerald.port(),
            certificate);
  }

  @AfterAll
  static void stopAll() {
    for (AutoCloseable process :
        new AutoCloseable[] {ownHost, prefix, ownHostHerald, prefixHerald}) {
      if (process != null) {
        try {
          process.close();
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }
    }
  }

  @Test
  void ownHostConfigCarriesPusherJsOverWssAndTheSdkOverHttps() throws Exception {
    runNodeSuite(ownHost, ownHostHerald, "");
  }

  @Test
  void pathPrefixConfigCarriesPusherJsWithWsPathAndTheSdkUnderThePrefix() throws Exception {
    runNodeSuite(prefix, prefixHerald, PREFIX);
  }

  @Test
  void underThePrefixApiSignaturesWithAndWithoutThePrefixBothPass() throws Exception {
    String base = "https://127.0.0.1:" + prefix.port("https") + PREFIX;
    ApiClient api =
        new ApiClient(
            base,
            PREFIX,
            HeraldProcess.APP_ID,
            HeraldProcess.APP_KEY,
            HeraldProcess.APP_SECRET,
            https);
    String channel = Unique.name("prefix-");
    try (RawClient socket = RawClient.open(wssUrl(prefix, PREFIX), https, Map.of())) {
      socket.subscribeOk(channel);

      // pusher-http-php with 'path' => '/ws/': signs /apps/{id}/events, sends /ws/apps/{id}/events.
      ApiClient.Response withoutPrefix =
          api.request("POST", "/events").body(eventBody(channel, "php-style")).send();
      assertEquals(200, withoutPrefix.status(), withoutPrefix::body);
      socket.assertNext(event(channel, "php-style", "d"));

      // A client that signs the path it requests.
      ApiClient.Response withPrefix =
          api.request("POST", "/events")
              .body(eventBody(channel, "full-path"))
              .signedWithPrefix()
              .send();
      assertEquals(200, withPrefix.status(), withPrefix::body);
      socket.assertNext(event(channel, "full-path", "d"));
    }
  }

  @Test
  void ownHostConfigRedirectsPlainHttpToHttps() throws Exception {
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + ownHost.port("http") + "/up"))
                    .timeout(Duration.ofSeconds(10))
                    .build(),
                HttpResponse.BodyHandlers.ofString());

    assertEquals(301, response.statusCode(), response::body);
    assertEquals("https://127.0.0.1/up", response.headers().firstValue("Location").orElse(null));
  }

  @Test
  void socketTimeoutsOutlastHeraldsOwnLivenessChecksAndPingsPassThrough() {
    for (NginxProcess nginx : List.of(ownHost, prefix)) {
      String path = nginx == prefix ? PREFIX : "";
      int activityTimeout;
      try (RawClient socket = RawClient.connect(wssUrl(nginx, path), https, Map.of())) {
        JsonNode established = socket.awaitJson();
        assertEquals(
            "pusher:connection_established", established.path("event").asText(), "first frame");
        activityTimeout = Json.dataOf(established).path("activity_timeout").asInt();
        RawClient.adopt(socket, established).assertPingPong();
      }
      for (String directive : List.of("proxy_read_timeout", "proxy_send_timeout")) {
        List<String> values = nginx.directiveValues(directive);
        assertEquals(1, values.size(), () -> directive + " in\n" + nginx.renderedSite());
        int seconds = seconds(values.get(0));
        // nginx must never be the one to end a socket Herald still considers alive.
        assertTrue(
            seconds > PING_INTERVAL_SECONDS + PONG_TIMEOUT_SECONDS,
            () -> directive + " " + values.get(0) + " ends sockets before Herald's own ping does");
        assertTrue(
            seconds >= 4 * activityTimeout,
            () ->
                directive
                    + " "
                    + values.get(0)
                    + " is not well above activity_timeout "
                    + activityTimeout);
      }
    }
  }

  @Test
  void bodiesOverHeraldsMaxRequestSizeAreRefusedByNginxBeforeReachingHerald() throws Exception {
    for (NginxProcess nginx : List.of(ownHost, prefix)) {
      assertEquals(
          List.of("256k"),
          nginx.directiveValues("client_max_body_size"),
          "client_max_body_size should equal Herald's max_request_size of " + MAX_REQUEST_SIZE);
      String path = nginx == prefix ? PREFIX : "";
      URI events =
          URI.create(
              "https://127.0.0.1:"
                  + nginx.port("https")
                  + path
                  + "/apps/"
                  + HeraldProcess.APP_ID
                  + "/events");
      HttpResponse<String> response =
          https.send(
              HttpRequest.newBuilder(events)
                  .timeout(Duration.ofSeconds(10))
                  .POST(HttpRequest.BodyPublishers.ofString("x".repeat(MAX_REQUEST_SIZE + 1)))
                  .build(),
              HttpResponse.BodyHandlers.ofString());

      assertEquals(413, response.statusCode(), response::body);
      assertTrue(response.body().contains("nginx"), () -> "not nginx's 413: " + response.body());
    }
  }

  @Test
  void withoutTrustedProxiesEveryClientBehindNginxSharesNginxsConnectionLimit(@TempDir Path tmp)
      throws Exception {
    try (HeraldProcess herald =
            HeraldProcess.withDefaults().env("HERALD_CONNECTIONS_PER_IP_PER_SECOND", "1").start();
        NginxProcess nginx = ownHostNginx(herald, tmp)) {
      long start = System.nanoTime();
      assertEquals(101, upgradeStatus(nginx, "127.0.0.2", null));
      // Another client, but Herald sees nginx's address for both.
      ReverseProxies.assertRefusedInTheSameSecond(start, upgradeStatus(nginx, "127.0.0.3", null));
    }
  }

  @Test
  void withTrustedProxiesTheConnectionLimitCountsEachClientNginxForwards(@TempDir Path tmp)
      throws Exception {
    try (HeraldProcess herald =
            HeraldProcess.withDefaults()
                .env("HERALD_CONNECTIONS_PER_IP_PER_SECOND", "1")
                .env("HERALD_TRUSTED_PROXIES", "127.0.0.1")
                .start();
        NginxProcess nginx = ownHostNginx(herald, tmp)) {
      long start = System.nanoTime();
      assertEquals(101, upgradeStatus(nginx, "127.0.0.2", null));
      assertEquals(101, upgradeStatus(nginx, "127.0.0.3", null));
      // A client cannot buy a fresh allowance by naming another address: nginx appends the one
      // it saw, and Herald reads from the right.
      assertEquals(101, upgradeStatus(nginx, "127.0.0.4", "127.0.0.50"));
      ReverseProxies.assertRefusedInTheSameSecond(
          start, upgradeStatus(nginx, "127.0.0.4", "127.0.0.51"));
      ReverseProxies.assertRefusedInTheSameSecond(start, upgradeStatus(nginx, "127.0.0.2", null));
    }
  }

  // ---- helpers ---------------------------------------------------------------------------------

  private static void runNodeSuite(NginxProcess nginx, HeraldProcess herald, String path)
      throws Exception {
    try {
      NodeInteropTest.runSuite(
          "proxy.test.mjs",
          herald,
          Map.of(
              "HERALD_PORT",
              Integer.toString(nginx.port("https")),
              "HERALD_WS_PATH",
              path,
              "HERALD_PROXY",
              "nginx",
              "NODE_EXTRA_CA_CERTS",
              certificate.certificate().toString()));
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "\n==== nginx ====\n" + nginx.logs(), e);
    }
  }

  private static NginxProcess ownHostNginx(HeraldProcess herald, Path tmp) {
    return NginxProcess.start(
        shipped("herald-own-host.conf"),
        tmp,
        Map.of("https", "listen 443 ssl;", "http", "listen 80;"),
        "server 127.0.0.1:8080;",
        herald.port(),
        certificate);
  }

  private static int upgradeStatus(NginxProcess nginx, String from, String forwardedFor)
      throws Exception {
    return ReverseProxies.upgradeStatus(
        certificate, nginx.port("https"), "", from, forwardedFor, nginx::logs);
  }

  private static String wssUrl(NginxProcess nginx, String path) {
    return "wss://127.0.0.1:"
        + nginx.port("https")
        + path
        + "/app/"
        + HeraldProcess.APP_KEY
        + "?protocol=7&client=js&version=8.4.0&flash=false";
  }

  private static String eventBody(String channel, String name) {
    return Json.write(Map.of("name", name, "channel", channel, "data", "d"));
  }

  /** An nginx time like {@code 300s}, {@code 5m} or {@code 300} in seconds. */
  private static int seconds(String time) {
    if (time.endsWith("m")) {
      return 60 * Integer.parseInt(time.substring(0, time.length() - 1));
    }
    return Integer.parseInt(time.endsWith("s") ? time.substring(0, time.length() - 1) : time);
  }

  private static Path shipped(String name) {
    Path file = Path.of(System.getProperty("herald.config.dir", "../config"), "nginx", name);
    assertTrue(Files.isRegularFile(file), () -> "no shipped config at " + file.toAbsolutePath());
    return file;
  }
}
