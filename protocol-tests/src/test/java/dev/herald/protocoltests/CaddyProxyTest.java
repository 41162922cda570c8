package dev.herald.protocoltests;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
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

  @TempDir static Path dir;

  private static ProxiedHeralds<CaddyProcess> caddies;

  @BeforeAll
  static void startHeraldsBehindCaddy() throws Exception {
    Prerequisite.require(
        CaddyProcess.binary().isPresent(),
        "caddy is not installed (neither on PATH nor /usr/bin/caddy), so the shipped Caddyfiles"
            + " are not tested here",
        "apt-get install caddy");
    caddies =
        ProxiedHeralds.start(
            "caddy",
            dir,
            (site, heraldPort, certificate) ->
                CaddyProcess.start(
                    shipped("herald-own-host.Caddyfile"),
                    site,
                    "ws.example.com",
                    heraldPort,
                    certificate),
            (site, heraldPort, certificate) ->
                CaddyProcess.start(
                    shipped("herald-path-prefix.Caddyfile"),
                    site,
                    "example.com",
                    heraldPort,
                    certificate));
  }

  @AfterAll
  static void stopAll() {
    if (caddies != null) {
      caddies.close();
    }
  }

  @Test
  void ownHostCaddyfileCarriesPusherJsOverWssAndTheSdkOverHttps() throws Exception {
    caddies.runNodeSuite(caddies.ownHost());
  }

  @Test
  void pathPrefixCaddyfileCarriesPusherJsWithWsPathAndTheSdkUnderThePrefix() throws Exception {
    caddies.runNodeSuite(caddies.prefix());
  }

  @Test
  void underThePrefixApiSignaturesWithAndWithoutThePrefixBothPass() throws Exception {
    caddies.assertBothSignatureStylesPassUnderThePrefix();
  }

  @Test
  void bodiesOverHeraldsMaxRequestSizeAreRefusedByCaddy() throws Exception {
    for (CaddyProcess caddy : caddies.both()) {
      HttpResponse<String> response = caddies.postOversizedEvents(caddy);

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
    caddies.assertTrustedProxyLimitCountsEachForwardedClient(tmp);
  }

  private static Path shipped(String name) {
    Path file = Path.of(System.getProperty("herald.config.dir", "../config"), "caddy", name);
    Prerequisite.require(
        Files.isRegularFile(file), "no shipped Caddyfile at " + file, "run from protocol-tests/");
    return file;
  }
}
