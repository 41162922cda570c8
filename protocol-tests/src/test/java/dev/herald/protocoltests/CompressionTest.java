package dev.herald.protocoltests;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Browsers offer permessage-deflate on every WebSocket. Herald declines it: compressing would
 * encode each broadcast once per subscriber instead of sharing one encoding, and keep a zlib
 * context per connection.
 */
class CompressionTest {
  private static HeraldProcess herald;

  @BeforeAll
  static void startServer() {
    herald = HeraldProcess.withDefaults().start();
  }

  @AfterAll
  static void stopServer() {
    if (herald != null) {
      herald.close();
    }
  }

  @Test
  void anUpgradeOfferingPerMessageDeflateIsAcceptedWithoutCompression() throws IOException {
    try (Socket socket = new Socket("127.0.0.1", herald.port())) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(
          ("GET /app/"
                  + HeraldProcess.APP_KEY
                  + "?protocol=7&client=js&version=8.4.0 HTTP/1.1\r\n"
                  + "Host: 127.0.0.1\r\n"
                  + "Upgrade: websocket\r\n"
                  + "Connection: Upgrade\r\n"
                  + "Sec-WebSocket-Version: 13\r\n"
                  + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                  + "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n"
                  + "Origin: http://localhost\r\n"
                  + "\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      String head = readHead(socket.getInputStream()).toLowerCase(Locale.ROOT);
      assertTrue(head.startsWith("http/1.1 101"), head);
      assertFalse(head.contains("sec-websocket-extensions"), head);
    }
  }

  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    byte[] end = {'\r', '\n', '\r', '\n'};
    while (matched < 4) {
      int b = in.read();
      if (b < 0) {
        break;
      }
      head.write(b);
      matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
    }
    return head.toString(StandardCharsets.US_ASCII);
  }
}
