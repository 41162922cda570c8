package dev.herald.protocoltests;

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

  /** Herald's defaults (docs/configuration.md, Apps): the longest a healthy socket is silent. */
  private static final int PING_INTERVAL_SECONDS = 60;

  private static final int PONG_TIMEOUT_SECONDS = 30;

  @TempDir static Path dir;

  private static ProxiedHeralds<NginxProcess> nginxes;

  @BeforeAll
  static void startHeraldsBehindNginx() throws Exception {
    Prerequisite.require(
        NginxProcess.binary().isPresent(),
        "nginx is not installed (neither on PATH nor /usr/sbin/nginx), so the shipped nginx"
            + " configs are not tested here",
        "apt-get install nginx");
    nginxes =
        ProxiedHeralds.start(
            "nginx",
            dir,
            NginxProxyTest::ownHostNginx,
            (site, heraldPort, certificate) ->
                NginxProcess.start(
                    shipped("herald-path-prefix.conf"),
                    site,
                    Map.of("https", "listen 443 ssl;"),
                    "server 127.0.0.1:8080;",
                    heraldPort,
                    certificate));
  }

  @AfterAll
  static void stopAll() {
    if (nginxes != null) {
      nginxes.close();
    }
  }

  @Test
  void ownHostConfigCarriesPusherJsOverWssAndTheSdkOverHttps() throws Exception {
    nginxes.runNodeSuite(nginxes.ownHost());
  }

  @Test
  void pathPrefixConfigCarriesPusherJsWithWsPathAndTheSdkUnderThePrefix() throws Exception {
    nginxes.runNodeSuite(nginxes.prefix());
  }

  @Test
  void underThePrefixApiSignaturesWithAndWithoutThePrefixBothPass() throws Exception {
    nginxes.assertBothSignatureStylesPassUnderThePrefix();
  }

  @Test
  void ownHostConfigRedirectsPlainHttpToHttps() throws Exception {
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + nginxes.ownHost().port("http") + "/up"))
                    .timeout(Duration.ofSeconds(10))
                    .build(),
                HttpResponse.BodyHandlers.ofString());

    assertEquals(301, response.statusCode(), response::body);
    assertEquals("https://127.0.0.1/up", response.headers().firstValue("Location").orElse(null));
  }

  @Test
  void socketTimeoutsOutlastHeraldsOwnLivenessChecksAndPingsPassThrough() {
    for (NginxProcess nginx : nginxes.both()) {
      int activityTimeout;
      try (RawClient socket = RawClient.connect(nginxes.wssUrl(nginx), nginxes.https(), Map.of())) {
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
    for (NginxProcess nginx : nginxes.both()) {
      assertEquals(
          List.of("256k"),
          nginx.directiveValues("client_max_body_size"),
          "client_max_body_size should equal Herald's max_request_size of "
              + ProxiedHeralds.MAX_REQUEST_SIZE);
      HttpResponse<String> response = nginxes.postOversizedEvents(nginx);

      assertEquals(413, response.statusCode(), response::body);
      assertTrue(response.body().contains("nginx"), () -> "not nginx's 413: " + response.body());
    }
  }

  @Test
  void withoutTrustedProxiesEveryClientBehindNginxSharesNginxsConnectionLimit(@TempDir Path tmp)
      throws Exception {
    try (HeraldProcess herald =
            HeraldProcess.withDefaults().env("HERALD_CONNECTIONS_PER_IP_PER_SECOND", "1").start();
        NginxProcess nginx = nginxes.startOwnHost(herald, tmp)) {
      long start = System.nanoTime();
      assertEquals(101, nginxes.upgradeStatus(nginx, "127.0.0.2", null));
      // Another client, but Herald sees nginx's address for both.
      ReverseProxies.assertRefusedInTheSameSecond(
          start, nginxes.upgradeStatus(nginx, "127.0.0.3", null));
    }
  }

  @Test
  void withTrustedProxiesTheConnectionLimitCountsEachClientNginxForwards(@TempDir Path tmp)
      throws Exception {
    nginxes.assertTrustedProxyLimitCountsEachForwardedClient(tmp);
  }

  // ---- helpers ---------------------------------------------------------------------------------

  private static NginxProcess ownHostNginx(
      Path site, int heraldPort, SelfSignedCertificate certificate) {
    return NginxProcess.start(
        shipped("herald-own-host.conf"),
        site,
        Map.of("https", "listen 443 ssl;", "http", "listen 80;"),
        "server 127.0.0.1:8080;",
        heraldPort,
        certificate);
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
