package dev.herald.protocoltests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.net.BindException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.MatchResult;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Assumptions;

/**
 * What the reverse-proxy harnesses ({@link NginxProcess}, {@link CaddyProcess}) and their tests
 * share: finding the program, rendering a shipped file with exact replacements, waiting for its
 * ports, and a raw WebSocket upgrade from a chosen loopback address.
 */
final class ReverseProxies {

  private static final Duration START_TIMEOUT = Duration.ofSeconds(20);

  private ReverseProxies() {}

  /** {@code name} on PATH, else at {@code fallback} (e.g. /usr/sbin, not on a non-root PATH). */
  static Optional<Path> binary(String name, Path fallback) {
    String path = System.getenv().getOrDefault("PATH", "");
    return Stream.concat(
            Stream.of(path.split(File.pathSeparator))
                .filter(entry -> !entry.isEmpty())
                .map(entry -> Path.of(entry, name)),
            Stream.of(fallback))
        .filter(Files::isExecutable)
        .findFirst();
  }

  /**
   * Replaces the one match of {@code regex} in {@code text}, read from {@code shipped}; fails when
   * there is not exactly one, so a shipped file that drifts from its test is never tested half.
   */
  static String replaceOnce(
      Path shipped, String text, String regex, Function<MatchResult, String> replacement) {
    Matcher matcher = Pattern.compile(regex).matcher(text);
    int count = 0;
    while (matcher.find()) {
      count++;
    }
    assertEquals(
        1,
        count,
        () ->
            shipped
                + " should contain /"
                + regex
                + "/ exactly once: its test replaces it to run the file on loopback");
    return matcher
        .reset()
        .replaceFirst(match -> Matcher.quoteReplacement(replacement.apply(match)));
  }

  /** Returns once every port accepts a connection; fails (stopping it) if the process does not. */
  static void awaitListening(
      String what, Process process, Collection<Integer> ports, Supplier<String> logs) {
    Processes.awaitReady(
        what,
        process,
        START_TIMEOUT,
        "listen on 127.0.0.1:" + ports,
        () -> ports.stream().allMatch(Ports::accepts),
        logs);
  }

  /**
   * The status a proxy on {@code port} answers a WebSocket upgrade to {@code path}/app/{key} with,
   * sent over TLS from the loopback address {@code from} (all of 127.0.0.0/8 is loopback on Linux),
   * with the client's own {@code X-Forwarded-For} unless null.
   */
  static int upgradeStatus(
      SelfSignedCertificate certificate,
      int port,
      String path,
      String from,
      String forwardedFor,
      Supplier<String> logs)
      throws Exception {
    SSLSocket socket;
    try {
      socket =
          (SSLSocket)
              certificate
                  .trustingContext()
                  .getSocketFactory()
                  .createSocket(
                      InetAddress.getByName("127.0.0.1"), port, InetAddress.getByName(from), 0);
    } catch (BindException e) {
      Prerequisite.unmet("cannot connect from " + from + " on this machine's loopback: " + e);
      throw e;
    }
    try (socket) {
      socket.setSoTimeout(10_000);
      String request =
          "GET "
              + path
              + "/app/"
              + HeraldProcess.APP_KEY
              + "?protocol=7&client=js&version=8.4.0&flash=false HTTP/1.1\r\n"
              + "Host: 127.0.0.1:"
              + port
              + "\r\n"
              + "Upgrade: websocket\r\n"
              + "Connection: Upgrade\r\n"
              + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
              + "Sec-WebSocket-Version: 13\r\n"
              + (forwardedFor == null ? "" : "X-Forwarded-For: " + forwardedFor + "\r\n")
              + "\r\n";
      socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().flush();
      BufferedReader reader =
          new BufferedReader(
              new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
      String statusLine = reader.readLine();
      assertTrue(
          statusLine != null && statusLine.startsWith("HTTP/1.1 "),
          () -> "no HTTP status line from the proxy: " + statusLine + "\n" + logs.get());
      return Integer.parseInt(statusLine.substring(9, 12));
    }
  }

  /**
   * Asserts a 429 from a one-per-second limit; a machine so slow that a second passed since {@code
   * startNanos} cannot show the limit, and the test is then skipped rather than failed.
   */
  static void assertRefusedInTheSameSecond(long startNanos, int status) {
    if (status != 429 && System.nanoTime() - startNanos >= 1_000_000_000L) {
      Assumptions.abort("more than a second passed between handshakes; the limit cannot be shown");
    }
    assertEquals(429, status, "the handshake should be refused by the per-IP limit");
  }
}
