package dev.herald.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.herald.TestVectors;
import dev.herald.auth.RequestVerifier;
import dev.herald.config.AppConfig;
import dev.herald.protocol.ChannelName;
import dev.herald.protocol.FrameDecoder;
import dev.herald.protocol.ProtocolException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Fuzz tests for the three places untrusted bytes enter: the frame decoder, the channel-name parser
 * and the HTTP signature verifier. Each may refuse input only with its own documented exception;
 * anything else (a NullPointerException, a StackOverflowError, a hang) is a bug. In a normal build
 * the saved corpus runs; {@code JAZZER_FUZZ=1} makes Jazzer search for new inputs.
 */
class InputFuzzTest {
  private static final FrameDecoder DECODER = new FrameDecoder();
  private static final AppConfig APP = TestVectors.app();
  private static final RequestVerifier VERIFIER =
      new RequestVerifier(Clock.fixed(Instant.ofEpochSecond(1_353_088_179L), ZoneOffset.UTC));

  @FuzzTest(maxDuration = "5s")
  void frameDecoderRefusesOnlyWithProtocolException(FuzzedDataProvider data) {
    try {
      DECODER.decode(data.consumeRemainingAsString());
    } catch (ProtocolException expected) {
      // The documented refusal: answered with pusher:error.
    }
  }

  @FuzzTest(maxDuration = "5s")
  void channelNameParserRefusesOnlyWithInvalidChannelName(FuzzedDataProvider data) {
    int maxLength = data.consumeInt(1, 300);
    try {
      ChannelName name = ChannelName.parse(data.consumeRemainingAsString(), maxLength);
      if (name.kind() == null || name.value().length() > maxLength) {
        throw new IllegalStateException("accepted a name it should refuse: " + name);
      }
    } catch (ChannelName.InvalidChannelNameException expected) {
      // The documented refusal.
    }
  }

  @FuzzTest(maxDuration = "5s")
  void signatureVerifierRefusesOnlyWithAuthenticationException(FuzzedDataProvider data) {
    Map<String, List<String>> query = new LinkedHashMap<>();
    int parameters = data.consumeInt(0, 8);
    String[] names = {"auth_key", "auth_timestamp", "auth_signature", "body_md5", "auth_version"};
    for (int i = 0; i < parameters; i++) {
      String name = data.consumeBoolean() ? data.pickValue(names) : data.consumeString(12);
      query.put(name, List.of(data.consumeString(80)));
    }
    if (data.consumeBoolean()) {
      query.put("auth_key", List.of(APP.key()));
    }
    String method = data.consumeBoolean() ? "GET" : "POST";
    String path = data.consumeString(60);
    byte[] body = data.consumeRemainingAsBytes();
    try {
      VERIFIER.verify(APP, method, List.of(path), query, body);
    } catch (RequestVerifier.AuthenticationException expected) {
      // The documented refusal: answered with 401.
    }
  }
}
