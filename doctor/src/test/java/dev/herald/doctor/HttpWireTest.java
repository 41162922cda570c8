package dev.herald.doctor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class HttpWireTest {

  private static InputStream stream(String text) {
    return new ByteArrayInputStream(text.getBytes(StandardCharsets.ISO_8859_1));
  }

  @Test
  void readsStatusHeadersAndALengthDelimitedBody() throws IOException {
    InputStream in =
        stream(
            "HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\ncontent-length: 32\r\n"
                + "Date: Sun, 22 Nov 2026 03:00:00 GMT\r\n\r\n{\"error\":\"Not found\",\"code\":404}trailing");
    HttpAnswer head = HttpWire.readHead(in);
    assertEquals(404, head.status());
    assertEquals("404 Not Found", head.statusLine());
    assertEquals("application/json", head.header("Content-Type"));
    String body = HttpWire.readBody(in, head, false);
    assertEquals("{\"error\":\"Not found\",\"code\":404}", body);
  }

  @Test
  void readsAChunkedBodyAsAProxyMaySendIt() throws IOException {
    InputStream in =
        stream(
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\n\r\n");
    HttpAnswer head = HttpWire.readHead(in);
    assertEquals("hello, world", HttpWire.readBody(in, head, false));
  }

  @Test
  void aTlsRecordInsteadOfHttpIsRecognised() {
    byte[] alert = {0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x32};
    HttpWire.NotHttpException e =
        assertThrows(
            HttpWire.NotHttpException.class,
            () -> HttpWire.readHead(new ByteArrayInputStream(alert)));
    assertTrue(e.looksLikeTls());
    HttpWire.NotHttpException text =
        assertThrows(
            HttpWire.NotHttpException.class,
            () -> HttpWire.readHead(stream("SSH-2.0-OpenSSH\r\n")));
    assertFalse(text.looksLikeTls());
  }

  @Test
  void aConnectionClosedBeforeAnyAnswerIsAnError() {
    IOException e = assertThrows(IOException.class, () -> HttpWire.readHead(stream("")));
    assertTrue(e.getMessage().contains("without answering"), e.getMessage());
  }

  @Test
  void theHandshakeAcceptValueFollowsRfc6455() {
    // RFC 6455 section 1.3's example.
    assertEquals(
        "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", WebSocketConnection.accept("dGhlIHNhbXBsZSBub25jZQ=="));
  }

  @Test
  void theDateHeaderGivesTheClockSkew() {
    HttpAnswer answer =
        new HttpAnswer(200, "OK", java.util.Map.of("date", "Sun, 22 Nov 2026 03:00:00 GMT"), "");
    long serverSeconds = java.time.Instant.parse("2026-11-22T03:00:00Z").getEpochSecond();
    assertEquals(-3600L, ApiCheck.skewFromDate(answer, serverSeconds - 3600));
    assertEquals(null, ApiCheck.skewFromDate(new HttpAnswer(200, "OK", java.util.Map.of(), ""), 0));
  }
}
