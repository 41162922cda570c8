package dev.herald.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class CloseReasonTest {
  private static int bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8).length;
  }

  @Test
  void keepsAReasonThatFitsWhole() {
    assertEquals(
        "Server is shutting down; reconnect",
        CloseReason.truncate("Server is shutting down; reconnect"));
    String exactly123 = "a".repeat(123);
    assertEquals(exactly123, CloseReason.truncate(exactly123));
    assertNull(CloseReason.truncate(null));
  }

  @Test
  void cutsAnAsciiReasonAt123Bytes() {
    assertEquals("a".repeat(123), CloseReason.truncate("a".repeat(200)));
  }

  @Test
  void countsBytesNotCharactersForMultiByteText() {
    // 100 characters of two bytes each: 200 bytes, where a cut by characters would keep them all.
    String reason = CloseReason.truncate("é".repeat(100));
    assertEquals("é".repeat(61), reason);
    assertEquals(122, bytes(reason));
  }

  @Test
  void neverCutsInsideACharacterOrASurrogatePair() {
    String emoji = "\uD83D\uDE00"; // four bytes, two chars
    String reason = CloseReason.truncate("ab" + emoji.repeat(40));
    assertEquals("ab" + emoji.repeat(30), reason);
    assertTrue(bytes(reason) <= CloseReason.MAX_BYTES);
    String threeByte = CloseReason.truncate("€".repeat(50));
    assertEquals(41, threeByte.length());
    assertEquals(123, bytes(threeByte));
  }
}
