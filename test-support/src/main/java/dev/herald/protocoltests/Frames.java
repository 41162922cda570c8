package dev.herald.protocoltests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The Pusher frames a test expects, and assertions that pin a received frame's exact shape: its
 * event, its channel, and no member more or less than the protocol gives it. Stateless.
 */
public final class Frames {

  private Frames() {}

  /** The frame of an event as subscribers receive it: {@code {"event","channel","data"}}. */
  public static String event(String channel, String event, String data) {
    return Json.write(Map.of("event", event, "channel", channel, "data", data));
  }

  /** The member names of a JSON object, to compare with the exact set the protocol gives it. */
  public static Set<String> fieldNames(JsonNode node) {
    Set<String> names = new HashSet<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  /**
   * Asserts {@code {"event":"pusher:error","data":{"code":code,"message":"..."}}}; a null {@code
   * code} expects {@code "code":null}.
   */
  public static void assertError(JsonNode frame, Integer code) {
    assertEquals("pusher:error", frame.path("event").asText(), frame::toString);
    assertEquals(Set.of("event", "data"), fieldNames(frame), frame::toString);
    JsonNode data = frame.get("data");
    assertTrue(data.isObject(), () -> "pusher:error data must be an object: " + frame);
    assertEquals(Set.of("code", "message"), fieldNames(data), frame::toString);
    if (code == null) {
      assertTrue(data.get("code").isNull(), () -> "code should be null in " + frame);
    } else {
      assertTrue(data.get("code").isInt(), frame::toString);
      assertEquals(code.intValue(), data.get("code").asInt(), frame::toString);
    }
    assertTrue(data.get("message").isTextual(), frame::toString);
  }

  /** Subscribes to a presence channel and asserts success, leaving the member list unchecked. */
  public static void joinPresence(RawClient client, String channel, String channelData) {
    client.subscribePresence(channel, channelData);
    JsonNode reply = client.awaitJson();
    assertEquals(
        "pusher_internal:subscription_succeeded", reply.path("event").asText(), reply::toString);
  }

  /**
   * Triggers a "marker" event through {@code server} and asserts it is the next frame of each
   * client: what should have come before it has, and nothing that should not.
   */
  public static void assertMarkerIsNext(
      HeraldProcess server, String channel, String data, RawClient... clients) {
    server.api().trigger(channel, "marker", data);
    for (RawClient client : clients) {
      client.assertNext(event(channel, "marker", data));
    }
  }

  /**
   * Asserts {@code {"event":"pusher:subscription_error","channel":channel,"data":{"type":type,
   * "error":"...","status":status}}}.
   */
  public static void assertSubscriptionError(
      JsonNode frame, String channel, String type, int status) {
    assertEquals("pusher:subscription_error", frame.path("event").asText(), frame::toString);
    assertEquals(Set.of("event", "channel", "data"), fieldNames(frame), frame::toString);
    assertEquals(channel, frame.get("channel").asText(), frame::toString);
    JsonNode data = frame.get("data");
    assertTrue(data.isObject(), () -> "subscription_error data must be an object: " + frame);
    assertEquals(Set.of("type", "error", "status"), fieldNames(data), frame::toString);
    assertEquals(type, data.get("type").asText(), frame::toString);
    assertTrue(data.get("error").isTextual(), frame::toString);
    assertTrue(data.get("status").isInt(), frame::toString);
    assertEquals(status, data.get("status").asInt(), frame::toString);
  }

  /**
   * Asserts a presence {@code subscription_succeeded} whose data is {@code
   * {"presence":{"ids":[...],"hash":hash,"count":n}}} (ids in any order, matching the hash).
   */
  public static void assertPresenceSucceeded(JsonNode frame, String channel, String hash) {
    assertEquals(
        "pusher_internal:subscription_succeeded", frame.path("event").asText(), frame::toString);
    assertEquals(Set.of("event", "channel", "data"), fieldNames(frame), frame::toString);
    assertEquals(channel, frame.get("channel").asText());
    JsonNode data = Json.dataOf(frame);
    assertEquals(Set.of("presence"), fieldNames(data), data::toString);
    JsonNode presence = data.get("presence");
    assertEquals(Set.of("ids", "hash", "count"), fieldNames(presence), data::toString);
    JsonNode expectedHash = Json.parse(hash);
    Json.assertJson(hash, presence.get("hash"));
    assertEquals(fieldNames(expectedHash), Json.textSet(presence.get("ids")), data::toString);
    assertEquals(expectedHash.size(), presence.get("ids").size(), () -> "duplicate ids in " + data);
    assertTrue(presence.get("count").isInt(), data::toString);
    assertEquals(expectedHash.size(), presence.get("count").asInt(), data::toString);
  }

  /**
   * Asserts a {@code member_added} frame whose data string holds {@code user_id} and {@code
   * user_info} (which may be left out or null when the member gave none).
   */
  public static void assertMemberAdded(
      JsonNode frame, String channel, String userId, String userInfo) {
    assertEquals("pusher_internal:member_added", frame.path("event").asText(), frame::toString);
    assertEquals(Set.of("event", "channel", "data"), fieldNames(frame), frame::toString);
    assertEquals(channel, frame.get("channel").asText(), frame::toString);
    JsonNode data = Json.dataOf(frame);
    assertTrue(data.path("user_id").isTextual(), data::toString);
    assertEquals(userId, data.get("user_id").asText(), data::toString);
    if (userInfo.equals("null")) {
      assertTrue(
          data.path("user_info").isMissingNode() || data.get("user_info").isNull(), data::toString);
      assertTrue(data.size() <= 2, data::toString);
    } else {
      assertEquals(Set.of("user_id", "user_info"), fieldNames(data), data::toString);
      Json.assertJson(userInfo, data.get("user_info"));
    }
  }

  /** Asserts exactly {@code member_removed} with data {@code "{\"user_id\":\"<id>\"}"}. */
  public static void assertMemberRemoved(JsonNode frame, String channel, String userId) {
    assertEquals("pusher_internal:member_removed", frame.path("event").asText(), frame::toString);
    assertEquals(Set.of("event", "channel", "data"), fieldNames(frame), frame::toString);
    assertEquals(channel, frame.get("channel").asText(), frame::toString);
    Json.assertJson(Json.write(Map.of("user_id", userId)), Json.dataOf(frame));
  }

  /** Asserts exactly {@code {"event":"pusher:cache_miss","channel":channel}}, without data. */
  public static void assertCacheMiss(JsonNode frame, String channel) {
    Json.assertJson(Json.write(Map.of("event", "pusher:cache_miss", "channel", channel)), frame);
  }
}
