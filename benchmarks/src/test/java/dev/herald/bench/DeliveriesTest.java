package dev.herald.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The benchmark timestamp read straight from a frame's bytes, whatever the JSON escaping. */
class DeliveriesTest {

  private static final byte[] KEY = "_bt".getBytes(StandardCharsets.US_ASCII);

  private static long field(String frame) {
    // Some bytes before and after the frame, as in a buffer holding several frames.
    ByteBuf b = Unpooled.copiedBuffer("ab_" + frame + "_bt:1", StandardCharsets.UTF_8);
    try {
      int from = 3;
      int to = 3 + frame.getBytes(StandardCharsets.UTF_8).length;
      int i = Deliveries.indexOf(b, from, to, KEY);
      return i < 0 ? Long.MIN_VALUE : Deliveries.numberAt(b, i + KEY.length, to);
    } finally {
      b.release();
    }
  }

  @Test
  void parsesAfterAnyEscaping() {
    assertEquals(123, field("{\"_bt\":123}"));
    assertEquals(123, field("{\"data\":\"{\\\"_bt\\\":123,\\\"x\\\":1}\"}"));
    assertEquals(-5, field("{\"data\":\"{\\\\\\\"_bt\\\\\\\":-5}\"}"));
    assertEquals(987654321012345L, field("é_bt:987654321012345"));
    assertEquals(42, field("__b_bt\"42"));
  }

  @Test
  void absentOrWithoutNumber() {
    assertEquals(Long.MIN_VALUE, field("{\"bt\":123}"));
    assertEquals(Long.MIN_VALUE, field("{\"_bt\":\"none\"}"));
    assertEquals(Long.MIN_VALUE, field("{\"_b"));
    // The number must start within six characters of the key.
    assertEquals(Long.MIN_VALUE, field("_bt\"\"\"\"\"\"\"1"));
    assertEquals(Long.MIN_VALUE, field("x_bt"));
  }
}
