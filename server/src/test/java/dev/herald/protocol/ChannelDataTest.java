package dev.herald.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ChannelDataTest {
  private static ErrorCode refusal(String channelData, int maxBytes) {
    return assertThrows(ProtocolException.class, () -> ChannelData.parse(channelData, maxBytes))
        .errorCode();
  }

  @Test
  void readsTheUserIdAndKeepsUserInfoAsJsonText() {
    PresenceMember member =
        ChannelData.parse("{\"user_id\":\"alice\",\"user_info\":{\"name\":\"Alice\"}}", 1000);
    assertEquals("alice", member.userId());
    assertEquals("{\"name\":\"Alice\"}", member.userInfoJson());
  }

  @Test
  void readsAnIntegerUserIdAsItsTextAndMissingOrNullUserInfoAsNull() {
    assertEquals(new PresenceMember("42", null), ChannelData.parse("{\"user_id\":42}", 1000));
    assertNull(ChannelData.parse("{\"user_id\":\"a\",\"user_info\":null}", 1000).userInfoJson());
  }

  @Test
  void refusesChannelDataOverTheAppsMemberSizeCountedInUtf8Bytes() {
    String data = "{\"user_id\":\"" + "é".repeat(10) + "\"}";
    assertEquals(ErrorCode.CHANNEL_DATA_TOO_LARGE, refusal(data, data.length()));
    assertEquals("é".repeat(10), ChannelData.parse(data, data.length() + 10).userId());
  }

  @Test
  void refusesWhatIsNotAnObjectWithAUsableUserId() {
    for (String bad :
        new String[] {
          "not json",
          "[1,2]",
          "\"text\"",
          "{}",
          "{\"user_id\":null}",
          "{\"user_id\":1.5}",
          "{\"user_id\":{\"a\":1}}",
          "{\"user_id\":\"\"}",
          "{\"user_id\":\"" + "x".repeat(ChannelData.MAX_USER_ID_LENGTH + 1) + "\"}"
        }) {
      assertEquals(ErrorCode.INVALID_CHANNEL_DATA, refusal(bad, 10_000), bad);
    }
    assertEquals(
        "x".repeat(ChannelData.MAX_USER_ID_LENGTH),
        ChannelData.parse(
                "{\"user_id\":\"" + "x".repeat(ChannelData.MAX_USER_ID_LENGTH) + "\"}", 10_000)
            .userId());
  }
}
