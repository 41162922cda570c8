package dev.herald.protocoltests;

import static dev.herald.protocoltests.Frames.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Frames a client should never send: each gets a {@code pusher:error} on the same connection, which
 * stays open and keeps working, and no other connection notices anything.
 */
class MalformedInputTest {

  private static final int MAX_MESSAGE_SIZE = 1000;
  private static HeraldProcess herald;

  @BeforeAll
  static void startServer() {
    herald =
        HeraldProcess.withDefaults()
            .env("REVERB_APP_MAX_MESSAGE_SIZE", Integer.toString(MAX_MESSAGE_SIZE))
            .start();
  }

  @AfterAll
  static void stopServer() {
    herald.close();
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @ValueSource(
      strings = {
        "this is not json",
        "{\"event\":\"pusher:ping\"",
        "",
        "[1,2,3]",
        "[{\"event\":\"pusher:ping\",\"data\":{}}]",
        "42",
        "\"pusher:ping\"",
        "null",
        "{}",
        "{\"data\":{}}",
        "{\"event\":42,\"data\":{}}",
        "{\"event\":null,\"data\":{}}",
        "{\"event\":{\"name\":\"pusher:ping\"}}",
        "{\"event\":\"pusher:subscribe\",\"data\":{}}",
        "{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":42}}",
        "{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":null}}",
        "{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":[\"a\"]}}",
        "{\"event\":\"pusher:subscribe\",\"data\":42}",
        "{\"event\":\"pusher:subscribe\"}",
        "{\"event\":\"pusher:unsubscribe\",\"data\":42}",
        "{\"event\":\"client-typing\",\"channel\":42,\"data\":{}}",
      })
  void malformedFrameGetsError4200AndTheConnectionKeepsWorking(String frame) {
    try (RawClient client = RawClient.open(herald.wsUrl())) {
      client.sendText(frame);
      assertError(client.awaitJson(), 4200);
      client.assertPingPong();
      client.subscribeOk(Unique.name("after-garbage-"));
    }
  }

  @Test
  void binaryFrameGetsError4200AndTheConnectionKeepsWorking() {
    try (RawClient client = RawClient.open(herald.wsUrl())) {
      client.sendBinary("{\"event\":\"pusher:ping\",\"data\":{}}".getBytes(StandardCharsets.UTF_8));
      assertError(client.awaitJson(), 4200);
      client.assertPingPong();
    }
  }

  @Test
  void frameOverTheMaximumMessageSizeGetsError4300AndTheConnectionStaysOpen() {
    try (RawClient client = RawClient.open(herald.wsUrl())) {
      String padding = "x".repeat(MAX_MESSAGE_SIZE);
      client.sendText("{\"event\":\"pusher:ping\",\"data\":{\"padding\":\"" + padding + "\"}}");
      var frame = client.awaitJson();
      assertError(frame, 4300);
      assertEquals(
          "Message too large: the limit is " + MAX_MESSAGE_SIZE + " bytes",
          frame.get("data").get("message").asText());
      client.assertPingPong();
    }
  }

  @Test
  void frameJustUnderTheMaximumMessageSizeIsAccepted() {
    try (RawClient client = RawClient.open(herald.wsUrl())) {
      String prefix = "{\"event\":\"pusher:ping\",\"data\":{\"padding\":\"";
      String suffix = "\"}}";
      String padding = "x".repeat(MAX_MESSAGE_SIZE - prefix.length() - suffix.length());
      client.sendText(prefix + padding + suffix);
      client.assertNext("{\"event\":\"pusher:pong\",\"data\":\"{}\"}");
    }
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @ValueSource(strings = {"pusher:foo", "foo", "my-event"})
  void unknownEventGetsErrorWithNullCodeAndTheConnectionStaysOpen(String event) {
    try (RawClient client = RawClient.open(herald.wsUrl())) {
      client.sendJson(Map.of("event", event, "data", Map.of()));
      assertError(client.awaitJson(), null);
      client.assertPingPong();
    }
  }

  @Test
  void garbageFromOneClientDoesNotAffectOtherConnections() {
    String channel = Unique.name("bystander-");
    try (RawClient bystander = RawClient.open(herald.wsUrl());
        RawClient listener = RawClient.open(herald.wsUrl());
        RawClient vandal = RawClient.open(herald.wsUrl())) {
      bystander.subscribeOk(channel);
      listener.subscribeOk(channel);
      vandal.subscribeOk(channel);
      for (String garbage : new String[] {"nope", "[]", "{\"event\":1}", "{\"event\":\"x:y\"}"}) {
        vandal.sendText(garbage);
      }
      vandal.sendBinary(new byte[] {0, 1, 2, 3});
      herald.api().trigger(channel, "after", "{\"ok\":true}");
      String expected =
          "{\"event\":\"after\",\"channel\":\"" + channel + "\",\"data\":\"{\\\"ok\\\":true}\"}";
      bystander.assertNext(expected);
      listener.assertNext(expected);
      bystander.assertPingPong();
      listener.assertPingPong();
    }
  }

  @Test
  void veryLargeFrameDoesNotAffectOtherConnections() {
    String channel = Unique.name("big-frame-");
    try (RawClient bystander = RawClient.open(herald.wsUrl());
        RawClient sender = RawClient.open(herald.wsUrl())) {
      bystander.subscribeOk(channel);
      char[] huge = new char[2 * 1024 * 1024];
      Arrays.fill(huge, 'x');
      try {
        sender.sendText(
            "{\"event\":\"pusher:ping\",\"data\":{\"padding\":\"" + new String(huge) + "\"}}");
      } catch (AssertionError closedWhileSending) {
        // The server may refuse the frame by closing this connection; only the others matter here.
      }
      herald.api().trigger(channel, "still-here", "1");
      bystander.assertNext(
          "{\"event\":\"still-here\",\"channel\":\"" + channel + "\",\"data\":\"1\"}");
      bystander.assertPingPong();
      try (RawClient newcomer = RawClient.open(herald.wsUrl())) {
        newcomer.assertPingPong();
      }
    }
  }
}
