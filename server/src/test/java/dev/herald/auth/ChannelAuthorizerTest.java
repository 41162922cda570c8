package dev.herald.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.TestVectors;
import dev.herald.config.AppConfig;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

class ChannelAuthorizerTest {
  private final AppConfig app = TestVectors.app();

  @TestFactory
  List<DynamicTest> channelAuthMatchesEveryVector() {
    List<DynamicTest> tests = new ArrayList<>();
    List<JsonNode> vectors = new ArrayList<>(TestVectors.ofKind("private_channel_auth"));
    vectors.addAll(TestVectors.ofKind("presence_channel_auth"));
    vectors.addAll(TestVectors.ofKind("encrypted_channel_auth"));
    for (JsonNode vector : vectors) {
      tests.add(
          DynamicTest.dynamicTest(
              vector.get("id").asText(),
              () -> {
                JsonNode input = vector.get("input");
                String socketId = input.get("socket_id").asText();
                String channel = input.get("channel_name").asText();
                JsonNode channelDataNode = vector.get("output").get("channel_data");
                String channelData = channelDataNode == null ? null : channelDataNode.asText();
                String auth = vector.get("output").get("auth").asText();

                assertEquals(
                    auth, ChannelAuthorizer.expectedAuth(app, socketId, channel, channelData));
                assertTrue(ChannelAuthorizer.isValid(app, socketId, channel, channelData, auth));
                String otherSocket = socketId.replace('1', '2').replace('9', '8');
                assertFalse(
                    ChannelAuthorizer.isValid(app, otherSocket, channel, channelData, auth));
                assertFalse(
                    ChannelAuthorizer.isValid(app, socketId, channel + "x", channelData, auth));
              }));
    }
    return tests;
  }

  @TestFactory
  List<DynamicTest> userAuthMatchesEveryVector() {
    List<DynamicTest> tests = new ArrayList<>();
    for (JsonNode vector : TestVectors.ofKind("user_authentication")) {
      tests.add(
          DynamicTest.dynamicTest(
              vector.get("id").asText(),
              () -> {
                String socketId = vector.get("input").get("socket_id").asText();
                String userData = vector.get("output").get("user_data").asText();
                String auth = vector.get("output").get("auth").asText();
                assertEquals(auth, ChannelAuthorizer.expectedUserAuth(app, socketId, userData));
                assertTrue(ChannelAuthorizer.isValidUserAuth(app, socketId, userData, auth));
                assertFalse(ChannelAuthorizer.isValidUserAuth(app, socketId + "1", userData, auth));
              }));
    }
    return tests;
  }

  @Test
  void rejectsAuthWithAnotherAppsKeyEvenWhenTheSignatureMatches() {
    String auth = ChannelAuthorizer.expectedAuth(app, "1.2", "private-a", null);
    String signature = auth.substring(auth.indexOf(':') + 1);
    assertFalse(ChannelAuthorizer.isValid(app, "1.2", "private-a", null, "other-key:" + signature));
    assertFalse(ChannelAuthorizer.isValid(app, "1.2", "private-a", null, signature));
    assertFalse(ChannelAuthorizer.isValid(app, "1.2", "private-a", null, null));
  }

  @Test
  void presenceSignatureCoversTheExactChannelDataString() {
    String data = "{\"user_id\":\"1\"}";
    String auth = ChannelAuthorizer.expectedAuth(app, "1.2", "presence-a", data);
    assertTrue(ChannelAuthorizer.isValid(app, "1.2", "presence-a", data, auth));
    assertFalse(ChannelAuthorizer.isValid(app, "1.2", "presence-a", "{\"user_id\": \"1\"}", auth));
  }
}
