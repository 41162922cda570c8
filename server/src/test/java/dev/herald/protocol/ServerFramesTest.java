package dev.herald.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
  void presenceSucceededEscapesIdsAndInfoTwiceAsJacksonWould() throws Exception {
    List<PresenceMember> members =
        List.of(
            new PresenceMember("a\"b\\c", "{\"name\":\"Zoë \\\"Z\\\"\",\"tab\":\"\\t\"}"),
            new PresenceMember("\u0001é", null));
    ObjectMapper mapper = new ObjectMapper();
    ObjectNode ids = mapper.createObjectNode();
    ObjectNode hash = mapper.createObjectNode();
    ArrayNode idList = ids.putArray("ids");
    for (PresenceMember member : members) {
      idList.add(member.userId());
      hash.set(
          member.userId(),
          member.userInfoJson() == null ? null : mapper.readTree(member.userInfoJson()));
    }
    ObjectNode presence = mapper.createObjectNode();
    presence.set("ids", idList);
    presence.set("hash", hash);
    presence.put("count", members.size());
    ObjectNode data = mapper.createObjectNode();
    data.set("presence", presence);
    ObjectNode frame = mapper.createObjectNode();
    frame.put("event", "pusher_internal:subscription_succeeded");
    frame.put("channel", "presence-\"q\"");
    frame.put("data", mapper.writeValueAsString(data));
    assertEquals(
        mapper.writeValueAsString(frame),
        ServerFrames.presenceSubscriptionSucceeded("presence-\"q\"", members));
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
