package dev.herald.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FrameDecoderTest {
  private final FrameDecoder decoder = new FrameDecoder();

  @Test
  void decodesSubscribeWithDataObject() {
    ClientFrame frame =
        decoder.decode(
            "{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":\"presence-a\",\"auth\":\"k:s\",\"channel_data\":\"{\\\"user_id\\\":1}\"}}");
    assertEquals(new ClientFrame.Subscribe("presence-a", "k:s", "{\"user_id\":1}"), frame);
  }

  @Test
  void acceptsDataAsAJsonStringLikeReverb() {
    ClientFrame frame =
        decoder.decode("{\"event\":\"pusher:subscribe\",\"data\":\"{\\\"channel\\\":\\\"a\\\"}\"}");
    assertEquals(new ClientFrame.Subscribe("a", null, null), frame);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"a\": 1, \"b\": [1, 2.50, \"x\"]}",
        "\"plain \\u00e9 string\"",
        "12.50",
        "-3e10",
        "true",
        "null",
        "[]",
        "{}"
      })
  void keepsClientEventDataExactlyAsSent(String data) {
    ClientFrame frame =
        decoder.decode(
            "{\"event\":\"client-typing\",\"channel\":\"private-c\",\"data\":"
                + data
                + " ,\"x\":1}");
    assertEquals(new ClientFrame.ClientEvent("client-typing", "private-c", data), frame);
  }

  @Test
  void recognisesPingPongSigninAndOthers() {
    assertInstanceOf(
        ClientFrame.Ping.class, decoder.decode("{\"event\":\"pusher:ping\",\"data\":{}}"));
    assertInstanceOf(ClientFrame.Pong.class, decoder.decode("{\"event\":\"pusher:pong\"}"));
    assertEquals(
        new ClientFrame.Signin("k:s", "{\"id\":\"1\"}"),
        decoder.decode(
            "{\"event\":\"pusher:signin\",\"data\":{\"auth\":\"k:s\",\"user_data\":\"{\\\"id\\\":\\\"1\\\"}\"}}"));
    assertEquals(
        new ClientFrame.UnknownPusherEvent("pusher:nope"),
        decoder.decode("{\"event\":\"pusher:nope\"}"));
    assertEquals(new ClientFrame.NotAClientEvent("hello"), decoder.decode("{\"event\":\"hello\"}"));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "not json",
        "[1,2]",
        "42",
        "{}",
        "{\"event\":1}",
        "{\"event\":\"pusher:subscribe\"}",
        "{\"event\":\"pusher:subscribe\",\"data\":{}}",
        "{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":5}}",
        "{\"event\":\"pusher:subscribe\",\"data\":7}",
        "{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":\"a\",\"channel_data\":{\"user_id\":1}}}",
        "{\"event\":\"client-x\",\"data\":{}}",
        "{\"event\":\"client-x\",\"channel\":[],\"data\":{}}",
        "{\"event\":\"pusher:ping\"} trailing",
        "{\"event\":\"pusher:ping\"",
        "{\"event\":\"pusher:unsubscribe\",\"data\":{\"channel\":null}}"
      })
  void rejectsMalformedFramesWithCode4200(String text) {
    ProtocolException error = assertThrows(ProtocolException.class, () -> decoder.decode(text));
    assertEquals(ErrorCode.INVALID_MESSAGE, error.errorCode());
    assertEquals(4200, error.errorCode().code());
  }

  @Test
  void rejectsAbsurdNestingWithoutBlowingTheStack() {
    String deep = "[".repeat(100_000) + "]".repeat(100_000);
    ProtocolException error =
        assertThrows(
            ProtocolException.class,
            () ->
                decoder.decode(
                    "{\"event\":\"client-x\",\"channel\":\"private-a\",\"data\":" + deep + "}"));
    assertEquals(ErrorCode.INVALID_MESSAGE, error.errorCode());
  }
}
