package dev.herald.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.herald.TestVectors;
import dev.herald.auth.ApiQuery;
import dev.herald.auth.RequestVerifier;
import dev.herald.config.AppConfig;
import dev.herald.protocol.ChannelName;
import dev.herald.protocol.FrameDecoder;
import dev.herald.protocol.ProtocolException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

/**
 * Fuzz tests for the three places untrusted bytes enter: the frame decoder, the channel-name parser
 * and the HTTP signature verifier. Each may refuse input only with its own documented exception;
 * anything else (a NullPointerException, a StackOverflowError, a hang) is a bug, and so is the
 * verifier accepting a request that its oracle does not find signed. In a normal build the saved
 * corpus runs; {@code JAZZER_FUZZ=1} makes Jazzer search for new inputs.
 */
class InputFuzzTest {
  private static final FrameDecoder DECODER = new FrameDecoder();
  private static final AppConfig APP = TestVectors.app();
  private static final long NOW = TestVectors.fixedTimestamp();
  private static final RequestVerifier VERIFIER =
      new RequestVerifier(Clock.fixed(Instant.ofEpochSecond(NOW), ZoneOffset.UTC));

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

  /**
   * The verifier may refuse anything, but it may accept only what an independent reading of the
   * same request shows to be signed by the app within the window: each signing parameter once, no
   * key under two spellings, the body's MD5, and the HMAC over what the server will act on. The
   * input is a request as text ({@code METHOD TARGET}, a newline, the body), so the committed seeds
   * under {@code InputFuzzTestInputs/} are readable: signed test vectors, and the replay of a
   * request signed two hours before the verifier's clock with a fresh timestamp and body added
   * under another letter case (accepted by the verifier before the query was parsed once).
   */
  @FuzzTest(maxDuration = "5s")
  void signatureVerifierAcceptsOnlyWhatTheAppSigned(byte[] input) {
    String text = new String(input, StandardCharsets.UTF_8);
    int newline = text.indexOf('\n');
    String requestLine = newline < 0 ? text : text.substring(0, newline);
    byte[] body =
        newline < 0 ? new byte[0] : text.substring(newline + 1).getBytes(StandardCharsets.UTF_8);
    int space = requestLine.indexOf(' ');
    String method = space < 0 ? "GET" : requestLine.substring(0, space);
    String target = space < 0 ? requestLine : requestLine.substring(space + 1);
    int question = target.indexOf('?');
    String path = question < 0 ? target : target.substring(0, question);
    String rawQuery = question < 0 ? "" : target.substring(question + 1);
    try {
      VERIFIER.verify(APP, method, List.of(path), ApiQuery.parse(rawQuery), body);
    } catch (RequestVerifier.AuthenticationException refused) {
      return;
    }
    String why = SignedRequestOracle.whyNotSigned(APP, NOW, method, path, rawQuery, body);
    if (why != null) {
      throw new AssertionError("accepted a request the app did not sign (" + why + "): " + text);
    }
  }
}
