package dev.herald.protocoltests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code HERALD_CONNECTIONS_PER_IP_PER_SECOND}: a handshake over the limit is answered 429 and its
 * connection closed, so a proxy that pools connections to Herald never reuses one that Herald has
 * stopped reading. The limit behind a proxy ({@code HERALD_TRUSTED_PROXIES}) is covered by
 * NginxProxyTest and CaddyProxyTest.
 */
class ConnectionRateLimitTest {

  private static HeraldProcess herald;

  @BeforeAll
  static void start() {
    herald = HeraldProcess.withDefaults().env("HERALD_CONNECTIONS_PER_IP_PER_SECOND", "1").start();
  }

  @AfterAll
  static void stop() {
    herald.close();
  }

  @Test
  void aHandshakeOverThePerIpLimitIsRefusedWith429AndItsConnectionClosed() throws Exception {
    long start = System.nanoTime();
    try (Socket first = new Socket("127.0.0.1", herald.port());
        Socket second = new Socket("127.0.0.1", herald.port())) {
      first.setSoTimeout(10_000);
      second.setSoTimeout(10_000);
      sendUpgrade(first);
      String accepted = readHead(first.getInputStream());
      assertTrue(accepted.startsWith("HTTP/1.1 101 "), accepted);

      sendUpgrade(second);
      String refused = readToEnd(second.getInputStream());
      assertTrue(refused.startsWith("HTTP/1.1 "), () -> "not an HTTP response: " + refused);
      ReverseProxies.assertRefusedInTheSameSecond(
          start, Integer.parseInt(refused.substring(9, 12)));
      assertTrue(
          refused.toLowerCase(Locale.ROOT).contains("\r\nconnection: close\r\n"),
          () -> "no Connection: close in\n" + refused);
      // readToEnd returned: the server closed the connection after the 429.
      assertEquals("Too Many Requests", refused.substring(refused.indexOf("\r\n\r\n") + 4));
    }
  }

  private static void sendUpgrade(Socket socket) throws IOException {
    String request =
        "GET /app/"
            + HeraldProcess.APP_KEY
            + "?protocol=7&client=js&version=8.4.0&flash=false HTTP/1.1\r\n"
            + "Host: 127.0.0.1\r\n"
            + "Upgrade: websocket\r\n"
            + "Connection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
            + "Sec-WebSocket-Version: 13\r\n\r\n";
    socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
    socket.getOutputStream().flush();
  }

  /** The status line and headers, up to the blank line. */
  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        break;
      }
      head.write(b);
    }
    return head.toString(StandardCharsets.US_ASCII);
  }

  /** Everything until the server closes the connection (a read timeout fails the test). */
  private static String readToEnd(InputStream in) throws IOException {
    return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
  }
}
