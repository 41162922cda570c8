package dev.herald.protocol;

import java.util.Collection;

/**
 * Factories for every server-to-client frame, as the exact JSON text sent on the wire.
 *
 * <p>Owns the "{@code data} is a JSON string holding JSON" rule: callers pass values, never
 * pre-encoded data. Stateless and thread-safe.
 */
public final class ServerFrames {
  private ServerFrames() {}

  public static final String PONG = "{\"event\":\"pusher:pong\",\"data\":\"{}\"}";
  public static final String PING = "{\"event\":\"pusher:ping\",\"data\":\"{}\"}";

  public static String connectionEstablished(String socketId, int activityTimeoutSeconds) {
    String data =
        "{\"socket_id\":"
            + Json.quote(socketId)
            + ",\"activity_timeout\":"
            + activityTimeoutSeconds
            + "}";
    return "{\"event\":\"pusher:connection_established\",\"data\":" + Json.quote(data) + "}";
  }

  /** {@code pusher:error}; its {@code data} is an object, as Pusher sends it. */
  public static String error(ErrorCode code, String message) {
    StringBuilder out =
        new StringBuilder(96).append("{\"event\":\"pusher:error\",\"data\":{\"code\":");
    out.append(code.code() == null ? "null" : code.code().toString()).append(",\"message\":");
    return Json.appendQuoted(out, message).append("}}").toString();
  }

  public static String subscriptionSucceeded(String channel) {
    return "{\"event\":\"pusher_internal:subscription_succeeded\",\"channel\":"
        + Json.quote(channel)
        + ",\"data\":\"{}\"}";
  }

  /**
   * The presence variant: the members already there, including the joining user. The {@code data}
   * JSON is written escaped straight into the frame, in passes over {@code members} (size, ids,
   * hash) and one builder: a join's only cost that grows with the channel.
   */
  public static String presenceSubscriptionSucceeded(
      String channel, Collection<PresenceMember> members) {
    // Sized so the builder does not grow: each id twice plus its escaped quotes, each info with
    // room for the backslash before each of its quotes.
    int capacity = 128 + channel.length();
    for (PresenceMember member : members) {
      String info = member.userInfoJson();
      capacity += 2 * member.userId().length() + 12 + (info == null ? 4 : info.length() * 3 / 2);
    }
    StringBuilder out = new StringBuilder(capacity);
    out.append("{\"event\":\"pusher_internal:subscription_succeeded\",\"channel\":");
    Json.appendQuoted(out, channel).append(",\"data\":\"{\\\"presence\\\":{\\\"ids\\\":[");
    boolean first = true;
    for (PresenceMember member : members) {
      if (!first) {
        out.append(',');
      }
      first = false;
      Json.appendQuotedEscaped(out, member.userId());
    }
    out.append("],\\\"hash\\\":{");
    first = true;
    for (PresenceMember member : members) {
      if (!first) {
        out.append(',');
      }
      first = false;
      Json.appendQuotedEscaped(out, member.userId()).append(':');
      Json.appendEscaped(out, member.userInfoJson() == null ? "null" : member.userInfoJson());
    }
    return out.append("},\\\"count\\\":").append(members.size()).append("}}\"}").toString();
  }

  /**
   * {@code pusher:subscription_error}; {@code type} is AuthError, LimitReached, InvalidChannel,
   * InvalidChannelData or ServerError, {@code status} an HTTP-like or Pusher code.
   */
  /**
   * {@code pusher:subscription_error} for one channel: the code's {@code type} and its number as
   * {@code status}.
   */
  public static String subscriptionError(String channel, ErrorCode code, String error) {
    if (code.kind() != ErrorCode.Kind.SUBSCRIPTION) {
      throw new IllegalArgumentException(code + " is not a subscription error");
    }
    return subscriptionError(channel, code.type(), error, code.code());
  }

  private static String subscriptionError(String channel, String type, String error, int status) {
    StringBuilder out =
        new StringBuilder(128).append("{\"event\":\"pusher:subscription_error\",\"channel\":");
    Json.appendQuoted(out, channel).append(",\"data\":{\"type\":");
    Json.appendQuoted(out, type).append(",\"error\":");
    Json.appendQuoted(out, error).append(",\"status\":").append(status);
    return out.append("}}").toString();
  }

  public static String memberAdded(String channel, PresenceMember member) {
    StringBuilder data = new StringBuilder("{\"user_id\":");
    Json.appendQuoted(data, member.userId())
        .append(",\"user_info\":")
        .append(member.userInfoJson() == null ? "null" : member.userInfoJson())
        .append('}');
    return "{\"event\":\"pusher_internal:member_added\",\"channel\":"
        + Json.quote(channel)
        + ",\"data\":"
        + Json.quote(data.toString())
        + "}";
  }

  public static String memberRemoved(String channel, String userId) {
    String data = "{\"user_id\":" + Json.quote(userId) + "}";
    return "{\"event\":\"pusher_internal:member_removed\",\"channel\":"
        + Json.quote(channel)
        + ",\"data\":"
        + Json.quote(data)
        + "}";
  }

  /** An event published through the HTTP API: {@code data} goes out as the exact string given. */
  public static String channelEvent(String event, String channel, String data) {
    StringBuilder out = new StringBuilder(48 + event.length() + channel.length() + data.length());
    out.append("{\"event\":");
    Json.appendQuoted(out, event).append(",\"channel\":");
    Json.appendQuoted(out, channel).append(",\"data\":");
    return Json.appendQuoted(out, data).append('}').toString();
  }

  /**
   * A client event relayed to the channel's other subscribers: {@code rawData} is the sender's
   * {@code data} JSON unchanged; {@code userId} is added on presence channels.
   */
  public static String clientEvent(String event, String channel, String rawData, String userId) {
    StringBuilder out = new StringBuilder(64 + (rawData == null ? 0 : rawData.length()));
    out.append("{\"event\":");
    Json.appendQuoted(out, event).append(",\"channel\":");
    Json.appendQuoted(out, channel);
    if (rawData != null) {
      out.append(",\"data\":").append(rawData);
    }
    if (userId != null) {
      out.append(",\"user_id\":");
      Json.appendQuoted(out, userId);
    }
    return out.append('}').toString();
  }

  /** {@code pusher:signin_success}, echoing the signed {@code user_data} string. */
  public static String signinSuccess(String userData) {
    String data = "{\"user_data\":" + Json.quote(userData) + "}";
    return "{\"event\":\"pusher:signin_success\",\"data\":" + Json.quote(data) + "}";
  }

  /** {@code pusher:cache_miss} for a cache channel with nothing cached; it has no data. */
  public static String cacheMiss(String channel) {
    return "{\"event\":\"pusher:cache_miss\",\"channel\":" + Json.quote(channel) + "}";
  }

  /**
   * {@code pusher_internal:watchlist_events} (no channel): the users that came online and went
   * offline; an empty list is left out.
   */
  public static String watchlistEvents(
      Collection<String> onlineUserIds, Collection<String> offlineUserIds) {
    StringBuilder events = new StringBuilder("{\"events\":[");
    boolean first = true;
    for (var entry :
        java.util.List.of(
            java.util.Map.entry("online", onlineUserIds),
            java.util.Map.entry("offline", offlineUserIds))) {
      if (entry.getValue().isEmpty()) {
        continue;
      }
      if (!first) {
        events.append(',');
      }
      first = false;
      events.append("{\"name\":\"").append(entry.getKey()).append("\",\"user_ids\":[");
      boolean firstId = true;
      for (String id : entry.getValue()) {
        if (!firstId) {
          events.append(',');
        }
        firstId = false;
        Json.appendQuoted(events, id);
      }
      events.append("]}");
    }
    events.append("]}");
    return "{\"event\":\"pusher_internal:watchlist_events\",\"data\":"
        + Json.quote(events.toString())
        + "}";
  }
}
