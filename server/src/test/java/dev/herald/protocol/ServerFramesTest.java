package dev.herald.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class ServerFramesTest {

  @Test
  void connectionEstablishedDoubleEncodesData() {
    assertEquals(
        "{\"event\":\"pusher:connection_established\",\"data\":\"{\\\"socket_id\\\":\\\"1.2\\\",\\\"activity_timeout\\\":30}\"}",
        ServerFrames.connectionEstablished("1.2", 30));
  }

  @Test
  void errorDataIsAnObjectWithANullableCode() {
    assertEquals(
        "{\"event\":\"pusher:error\",\"data\":{\"code\":4001,\"message\":\"No \\\"app\\\"\"}}",
        ServerFrames.error(ErrorCode.UNKNOWN_APP, "No \"app\""));
    assertEquals(
        "{\"event\":\"pusher:error\",\"data\":{\"code\":null,\"message\":\"x\"}}",
        ServerFrames.error(ErrorCode.GENERIC, "x"));
  }

  @Test
  void presenceSucceededListsIdsHashAndCount() {
    assertEquals(
        "{\"event\":\"pusher_internal:subscription_succeeded\",\"channel\":\"presence-room\","
            + "\"data\":\"{\\\"presence\\\":{\\\"ids\\\":[\\\"u1\\\",\\\"u2\\\"],\\\"hash\\\":{\\\"u1\\\":{\\\"name\\\":\\\"A\\\"},\\\"u2\\\":null},\\\"count\\\":2}}\"}",
        ServerFrames.presenceSubscriptionSucceeded(
            "presence-room",
            List.of(new PresenceMember("u1", "{\"name\":\"A\"}"), new PresenceMember("u2", null))));
  }

  @Test
  void memberAddedAndRemovedMatchTheSpec() {
    assertEquals(
        "{\"event\":\"pusher_internal:member_added\",\"channel\":\"presence-room\",\"data\":\"{\\\"user_id\\\":\\\"u3\\\",\\\"user_info\\\":{\\\"name\\\":\\\"C\\\"}}\"}",
        ServerFrames.memberAdded("presence-room", new PresenceMember("u3", "{\"name\":\"C\"}")));
    assertEquals(
        "{\"event\":\"pusher_internal:member_removed\",\"channel\":\"presence-room\",\"data\":\"{\\\"user_id\\\":\\\"u3\\\"}\"}",
        ServerFrames.memberRemoved("presence-room", "u3"));
  }

  @Test
  void channelEventCarriesTheApiDataStringUntouched() {
    assertEquals(
        "{\"event\":\"order.shipped\",\"channel\":\"orders.1\",\"data\":\"{\\\"id\\\":1}\"}",
        ServerFrames.channelEvent("order.shipped", "orders.1", "{\"id\":1}"));
  }

  @Test
  void clientEventRelaysDataAsSentAndAddsThePresenceUser() {
    assertEquals(
        "{\"event\":\"client-typing\",\"channel\":\"presence-r\",\"data\":{\"on\":true},\"user_id\":\"u1\"}",
        ServerFrames.clientEvent("client-typing", "presence-r", "{\"on\":true}", "u1"));
    assertEquals(
        "{\"event\":\"client-typing\",\"channel\":\"private-r\",\"data\":\"s\"}",
        ServerFrames.clientEvent("client-typing", "private-r", "\"s\"", null));
  }

  @Test
  void subscriptionErrorHasTypeErrorAndStatus() {
    assertEquals(
        "{\"event\":\"pusher:subscription_error\",\"channel\":\"private-x\",\"data\":{\"type\":\"AuthError\",\"error\":\"Invalid signature\",\"status\":401}}",
        ServerFrames.subscriptionError(
            "private-x", ErrorCode.SUBSCRIPTION_UNAUTHORIZED, "Invalid signature"));
  }
}
