package dev.herald.webhooks;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One webhook event as Pusher names and shapes it: {@code name}, {@code channel} and the fields of
 * its kind. Immutable.
 */
public record WebhookEvent(String name, String channel, Map<String, Object> fields) {
  public static final String CHANNEL_OCCUPIED = "channel_occupied";
  public static final String CHANNEL_VACATED = "channel_vacated";
  public static final String MEMBER_ADDED = "member_added";
  public static final String MEMBER_REMOVED = "member_removed";
  public static final String CLIENT_EVENT = "client_event";
  public static final String CACHE_MISS = "cache_miss";
  public static final String SUBSCRIPTION_COUNT = "subscription_count";

  public WebhookEvent {
    fields = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(fields));
  }

  public static WebhookEvent channelOccupied(String channel) {
    return new WebhookEvent(CHANNEL_OCCUPIED, channel, Map.of());
  }

  public static WebhookEvent channelVacated(String channel) {
    return new WebhookEvent(CHANNEL_VACATED, channel, Map.of());
  }

  public static WebhookEvent memberAdded(String channel, String userId) {
    return new WebhookEvent(MEMBER_ADDED, channel, Map.of("user_id", userId));
  }

  public static WebhookEvent memberRemoved(String channel, String userId) {
    return new WebhookEvent(MEMBER_REMOVED, channel, Map.of("user_id", userId));
  }

  public static WebhookEvent cacheMiss(String channel) {
    return new WebhookEvent(CACHE_MISS, channel, Map.of());
  }

  public static WebhookEvent subscriptionCount(String channel, int count) {
    return new WebhookEvent(SUBSCRIPTION_COUNT, channel, Map.of("subscription_count", count));
  }

  /**
   * A relayed client event.
   *
   * @param data the event's data as a string (a JSON string's value, or other JSON as text)
   * @param userId the sender's presence user id, or null
   */
  public static WebhookEvent clientEvent(
      String channel, String event, String data, String socketId, String userId) {
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("event", event);
    if (data != null) {
      fields.put("data", data);
    }
    fields.put("socket_id", socketId);
    if (userId != null) {
      fields.put("user_id", userId);
    }
    return new WebhookEvent(CLIENT_EVENT, channel, fields);
  }

  /** The user the event is about (member events), or null. */
  String userId() {
    Object userId = fields.get("user_id");
    return userId == null ? null : userId.toString();
  }
}
