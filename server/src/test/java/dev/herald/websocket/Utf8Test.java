package dev.herald.websocket;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class Utf8Test {

  @ParameterizedTest
  @ValueSource(
      strings = {"", "ascii", "h\u00e9llo", "\u2713 done", "\uD83D\uDE00 emoji", "\u07ff\u0800"})
  void countsTheBytesTheStringEncodesTo(String text) {
    assertEquals(text.getBytes(StandardCharsets.UTF_8).length, Utf8.length(text));
  }
}
