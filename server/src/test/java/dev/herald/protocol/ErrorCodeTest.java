package dev.herald.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ErrorCodeTest {
  @Test
  void everySubscriptionErrorHasATypeAndAStatusAndKeepsTheConnection() {
    for (ErrorCode code : ErrorCode.values()) {
      if (code.kind() == ErrorCode.Kind.SUBSCRIPTION) {
        assertNotNull(code.type(), code.name());
        assertNotNull(code.code(), code.name());
        assertFalse(code.closesConnection(), code.name());
      } else {
        assertNull(code.type(), code.name());
      }
    }
  }

  @Test
  void closeCodesBelowThePusherRangeAreWebSocketClosesThatEndTheConnection() {
    for (ErrorCode code : ErrorCode.values()) {
      if (code.kind() == ErrorCode.Kind.CLOSE) {
        assertTrue(code.code() >= 1000 && code.code() < 4000, code.name());
        assertTrue(code.closesConnection(), code.name());
      }
      if (code.kind() == ErrorCode.Kind.ERROR && code.closesConnection()) {
        // A close code must be in the application range 4000-4999 to be sent as is.
        assertTrue(code.code() >= 4000 && code.code() < 5000, code.name());
      }
    }
    assertEquals(1009, ErrorCode.MESSAGE_TOO_BIG.code());
  }

  @Test
  void subscriptionErrorFramesComeFromTheTable() {
    assertEquals(
        "{\"event\":\"pusher:subscription_error\",\"channel\":\"presence-x\",\"data\":{\"type\":\"LimitReached\",\"error\":\"full\",\"status\":4100}}",
        ServerFrames.subscriptionError("presence-x", ErrorCode.PRESENCE_CHANNEL_FULL, "full"));
    assertThrows(
        IllegalArgumentException.class,
        () -> ServerFrames.subscriptionError("x", ErrorCode.UNKNOWN_APP, "no"));
  }
}
