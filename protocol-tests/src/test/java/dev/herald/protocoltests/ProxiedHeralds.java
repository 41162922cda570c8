package dev.herald.protocoltests;

import static dev.herald.protocoltests.Frames.event;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The two shipped setups of one kind of reverse proxy, each a real proxy ending TLS in front of a
 * Herald process of its own: Herald on its own host, and Herald under {@link #PREFIX}. Also the
 * checks that hold behind any proxy, so {@link CaddyProxyTest} and {@link NginxProxyTest} run the
 * same ones. How a shipped file is rendered and run is each test's {@link Setup}. Not thread-safe.
 */
final class ProxiedHeralds<P extends ProxyProcess> implements AutoCloseable {

  /** Where the path-prefix setup serves Herald ({@code REVERB_SERVER_PATH}). */
  static final String PREFIX = "/ws";

  /** Herald's default {@code max_request_size} (docs/configuration.md, Server table). */
  static final int MAX_REQUEST_SIZE = 262_144;

  /**
   * Starts one shipped configuration of the proxy in {@code dir}, in front of {@code heraldPort}.
   */
  @FunctionalInterface
  interface Setup<P> {
    P start(Path dir, int heraldPort, SelfSignedCertificate certificate);
  }

  private final String name;
  private final SelfSignedCertificate certificate;
  private final HttpClient https;
  private final Setup<P> ownHostSetup;
  private HeraldProcess ownHostHerald;
  private P ownHost;
  private HeraldProcess prefixHerald;
  private P prefix;

  private ProxiedHeralds(
      String name, SelfSignedCertificate certificate, HttpClient https, Setup<P> ownHostSetup) {
    this.name = name;
    this.certificate = certificate;
    this.https = https;
    this.ownHostSetup = ownHostSetup;
  }

  /**
   * Generates the certificate in {@code dir} and starts both setups; what started is stopped again
   * if a later step fails or skips.
   *
   * @param name the proxy's name, as node/proxy.test.mjs reads it from {@code HERALD_PROXY}
   */
  static <P extends ProxyProcess> ProxiedHeralds<P> start(
      String name, Path dir, Setup<P> ownHostSetup, Setup<P> prefixSetup)
      throws IOException, GeneralSecurityException, InterruptedException {
    SelfSignedCertificate certificate = SelfSignedCertificate.generate(dir);
    ProxiedHeralds<P> heralds =
        new ProxiedHeralds<>(name, certificate, certificate.trustingClient(), ownHostSetup);
    try {
      heralds.ownHostHerald = HeraldProcess.withDefaults().start();
      heralds.ownHost =
          ownHostSetup.start(
              Files.createDirectories(dir.resolve("own-host")),
              heralds.ownHostHerald.port(),
              certificate);
      heralds.prefixHerald = HeraldProcess.withDefaults().env("REVERB_SERVER_PATH", PREFIX).start();
      heralds.prefix =
          prefixSetup.start(
              Files.createDirectories(dir.resolve("path-prefix")),
              heralds.prefixHerald.port(),
              certificate);
      return heralds;
    } catch (Throwable e) {
      heralds.close();
      throw e;
    }
  }

  P ownHost() {
    return ownHost;
  }

  P prefix() {
    return prefix;
  }

  /** Both proxies, own-host first. */
  List<P> both() {
    return List.of(ownHost, prefix);
  }

  /** The client that trusts the proxies' certificate. */
  HttpClient https() {
    return https;
  }

  /** Where {@code proxy} serves Herald: {@link #PREFIX} or the root. */
  String path(P proxy) {
    return proxy == prefix ? PREFIX : "";
  }

  /** A pusher-js style URL to Herald through {@code proxy}. */
  String wssUrl(P proxy) {
    return "wss://127.0.0.1:"
        + proxy.tlsPort()
        + path(proxy)
        + "/app/"
        + HeraldProcess.APP_KEY
        + "?protocol=7&client=js&version=8.4.0&flash=false";
  }

  /** The own-host setup again, in {@code dir}, in front of a Herald the test configured. */
  P startOwnHost(HeraldProcess herald, Path dir) {
    return ownHostSetup.start(dir, herald.port(), certificate);
  }

  /** See {@link ReverseProxies#upgradeStatus}; {@code proxy} runs the own-host setup. */
  int upgradeStatus(P proxy, String from, String forwardedFor) throws Exception {
    return ReverseProxies.upgradeStatus(
        certificate, proxy.tlsPort(), "", from, forwardedFor, proxy::logs);
  }

  /** Runs node/proxy.test.mjs (pusher-js and the {@code pusher} SDK) through {@code proxy}. */
  void runNodeSuite(P proxy) throws Exception {
    try {
      NodeInteropTest.runSuite(
          "proxy.test.mjs",
          proxy == prefix ? prefixHerald : ownHostHerald,
          Map.of(
              "HERALD_PORT",
              Integer.toString(proxy.tlsPort()),
              "HERALD_WS_PATH",
              path(proxy),
              "HERALD_PROXY",
              name,
              "NODE_EXTRA_CA_CERTS",
              certificate.certificate().toString()));
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "\n" + proxy.logs(), e);
    }
  }

  /**
   * Under the prefix, an HTTP API call signed without the prefix and one signed with it both
   * publish, and the socket still answers pings.
   */
  void assertBothSignatureStylesPassUnderThePrefix() throws Exception {
    ApiClient api =
        new ApiClient(
            "https://127.0.0.1:" + prefix.tlsPort() + PREFIX,
            PREFIX,
            HeraldProcess.APP_ID,
            HeraldProcess.APP_KEY,
            HeraldProcess.APP_SECRET,
            https);
    String channel = Unique.name(name + "-prefix-");
    try (RawClient socket = RawClient.open(wssUrl(prefix), https, Map.of())) {
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
      socket.assertPingPong();
    }
  }

  /**
   * With Herald trusting the proxy and allowing one connection per client address a second, the
   * limit counts each client the proxy forwards; the proxy runs the own-host setup in {@code dir}.
   */
  void assertTrustedProxyLimitCountsEachForwardedClient(Path dir) throws Exception {
    try (HeraldProcess herald =
            HeraldProcess.withDefaults()
                .env("HERALD_CONNECTIONS_PER_IP_PER_SECOND", "1")
                .env("HERALD_TRUSTED_PROXIES", "127.0.0.1")
                .start();
        P proxy = startOwnHost(herald, dir)) {
      long start = System.nanoTime();
      assertEquals(101, upgradeStatus(proxy, "127.0.0.2", null));
      assertEquals(101, upgradeStatus(proxy, "127.0.0.3", null));
      // A client cannot buy a fresh allowance by naming another address: the proxy puts the one
      // it saw last (nginx appends it, Caddy replaces the header), and Herald reads from the right.
      assertEquals(101, upgradeStatus(proxy, "127.0.0.4", "127.0.0.50"));
      ReverseProxies.assertRefusedInTheSameSecond(
          start, upgradeStatus(proxy, "127.0.0.4", "127.0.0.51"));
      ReverseProxies.assertRefusedInTheSameSecond(start, upgradeStatus(proxy, "127.0.0.2", null));
    }
  }

  /**
   * POSTs a body one byte over {@link #MAX_REQUEST_SIZE} to the events endpoint via {@code proxy}.
   */
  HttpResponse<String> postOversizedEvents(P proxy) throws IOException, InterruptedException {
    URI events =
        URI.create(
            "https://127.0.0.1:"
                + proxy.tlsPort()
                + path(proxy)
                + "/apps/"
                + HeraldProcess.APP_ID
                + "/events");
    return https.send(
        HttpRequest.newBuilder(events)
            .timeout(Duration.ofSeconds(10))
            .POST(HttpRequest.BodyPublishers.ofString("x".repeat(MAX_REQUEST_SIZE + 1)))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** Stops both proxies, then both Heralds; whatever did not start is skipped. */
  @Override
  public void close() {
    for (P proxy : Arrays.asList(ownHost, prefix)) {
      if (proxy != null) {
        proxy.close();
      }
    }
    for (HeraldProcess herald : Arrays.asList(ownHostHerald, prefixHerald)) {
      if (herald != null) {
        herald.close();
      }
    }
  }

  private static String eventBody(String channel, String name) {
    return Json.write(Map.of("name", name, "channel", channel, "data", "d"));
  }
}
