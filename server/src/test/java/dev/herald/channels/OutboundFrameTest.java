package dev.herald.channels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class OutboundFrameTest {

  /** The pre-encoded bytes must be exactly what a WebSocket client decodes back to the text. */
  @ParameterizedTest
  @ValueSource(ints = {0, 1, 125, 126, 127, 65_535, 65_536, 200_000})
  void encodesATextFrameThatNettyDecodesBack(int length) {
    String text = "é".repeat(length / 2) + "x".repeat(length % 2);
    OutboundFrame frame = OutboundFrame.of(text);
    ByteBuf wire = Unpooled.buffer(frame.wireLength());
    frame.writeWireTo(wire);

    // A client-side decoder: server frames are unmasked.
    EmbeddedChannel client =
        new EmbeddedChannel(new WebSocket13FrameDecoder(false, false, 1 << 20, false));
    client.writeInbound(wire);
    TextWebSocketFrame decoded = client.readInbound();
    assertEquals(text, decoded.text());
    assertEquals(text.getBytes(StandardCharsets.UTF_8).length, frame.size());
    decoded.release();
    client.finishAndReleaseAll();
  }

  @Test
  void usesTheShortestLengthForm() {
    assertEquals(2 + 125, OutboundFrame.of("x".repeat(125)).wireLength());
    assertEquals(4 + 126, OutboundFrame.of("x".repeat(126)).wireLength());
    assertEquals(10 + 65_536, OutboundFrame.of("x".repeat(65_536)).wireLength());
    ByteBuf header = Unpooled.buffer();
    OutboundFrame.of("x".repeat(300)).writeWireTo(header);
    byte[] first = new byte[4];
    header.readBytes(first);
    assertArrayEquals(new byte[] {(byte) 0x81, 126, 1, 44}, first);
  }

  @Test
  void printsAsItsText() {
    assertEquals("{\"event\":\"e\"}", OutboundFrame.of("{\"event\":\"e\"}").toString());
  }
}
