package dev.herald.protocol;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;

/**
 * Reads a presence subscription's {@code channel_data}: a JSON object with a {@code user_id}
 * (string, or an integer sent as its text) and an optional {@code user_info}. The text itself is
 * what the signature covers; this only reads the member out of it, after the signature was checked.
 * Pure.
 */
public final class ChannelData {
  /** Longest user id accepted, as Pusher documents. */
  public static final int MAX_USER_ID_LENGTH = 128;

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private ChannelData() {}

  /**
   * @param maxBytes the app's largest presence member, in bytes of UTF-8
   * @throws ProtocolException with {@link ErrorCode#CHANNEL_DATA_TOO_LARGE} or {@link
   *     ErrorCode#INVALID_CHANNEL_DATA}
   */
  public static PresenceMember parse(String channelData, int maxBytes) {
    if (channelData.getBytes(StandardCharsets.UTF_8).length > maxBytes) {
      throw new ProtocolException(
          ErrorCode.CHANNEL_DATA_TOO_LARGE, "channel_data is larger than " + maxBytes + " bytes");
    }
    JsonNode data;
    try {
      data = MAPPER.readTree(channelData);
    } catch (JsonProcessingException e) {
      throw invalid("channel_data must be a JSON object");
    }
    if (data == null || !data.isObject()) {
      throw invalid("channel_data must be a JSON object");
    }
    JsonNode userIdNode = data.get("user_id");
    if (userIdNode == null || !(userIdNode.isTextual() || userIdNode.isIntegralNumber())) {
      throw invalid("channel_data must contain a user_id string");
    }
    String userId = userIdNode.asText();
    if (userId.isEmpty() || userId.length() > MAX_USER_ID_LENGTH) {
      throw invalid("user_id must be 1 to " + MAX_USER_ID_LENGTH + " characters");
    }
    JsonNode userInfo = data.get("user_info");
    String userInfoJson = userInfo == null || userInfo.isNull() ? null : userInfo.toString();
    return new PresenceMember(userId, userInfoJson);
  }

  private static ProtocolException invalid(String message) {
    return new ProtocolException(ErrorCode.INVALID_CHANNEL_DATA, message);
  }
}
