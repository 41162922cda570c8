package dev.herald.websocket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class UpgradeHeadersTest {
  private static final String RFC_KEY = "dGhlIHNhbXBsZSBub25jZQ==";

  @Test
  void acceptIsTheValueOfRfc6455sExample() {
    assertEquals("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", UpgradeHeaders.accept(RFC_KEY));
    assertEquals("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", UpgradeHeaders.accept(" " + RFC_KEY + " "));
  }

  @Test
  void version13WithAValidKeyIsAccepted() {
    assertEquals(0, UpgradeHeaders.refusal("13", RFC_KEY));
    assertEquals(0, UpgradeHeaders.refusal(" 13 ", RFC_KEY));
  }

  @Test
  void anyOtherVersionOrNoneIs426() {
    for (String version : new String[] {null, "", "8", "7", "12", "14", "99", "13, 8", "x"}) {
      assertEquals(426, UpgradeHeaders.refusal(version, RFC_KEY), String.valueOf(version));
    }
  }

  @Test
  void aKeyThatIsNotSixteenBytesOfBase64Is400() {
    for (String key :
        new String[] {
          null,
          "",
          "abc",
          "dGhlIHNhbXBsZSBub25jZQ",
          "dGhlIHNhbXBsZSBub25jZQ=",
          "dGhlIHNhbXBsZSBub25jZQ===",
          "dGhlIHNhbXBsZSBub25jZ!==",
          "x".repeat(10_000)
        }) {
      assertEquals(400, UpgradeHeaders.refusal("13", key), String.valueOf(key));
    }
    assertTrue(UpgradeHeaders.isValidKey("AAAAAAAAAAAAAAAAAAAAAA=="));
    assertFalse(UpgradeHeaders.isValidKey("AAAAAAAAAAAAAAAAAAAAAA=A"));
  }

  @Test
  void theResponseIsA101WithTheAcceptHeaderAndNothingElse() {
    String response =
        new String(UpgradeHeaders.switchingProtocols(RFC_KEY), StandardCharsets.US_ASCII);
    assertEquals(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n",
        response);
  }
}
