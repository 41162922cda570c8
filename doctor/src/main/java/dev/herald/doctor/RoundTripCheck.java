package dev.herald.doctor;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * Step 6: an event published through the HTTP API reaches a WebSocket subscriber, which is what a
 * Laravel {@code broadcast()} to an Echo listener needs. It fails on its own when the API and the
 * WebSocket reach different servers that do not share their subscribers.
 */
final class RoundTripCheck {
  static final String STEP = "round-trip";
  static final String EVENT = "herald-doctor-ping";
  private static final SecureRandom RANDOM = new SecureRandom();

  private RoundTripCheck() {}

  static StepResult check(Connector connector, Target target, BroadcastSettings s, SignedApi api) {
    byte[] random = new byte[6];
    RANDOM.nextBytes(random);
    String channel = "herald-doctor-" + HexFormat.of().formatHex(random);
    PusherSocket.Opening opening;
    try {
      opening = PusherSocket.open(connector, target, s.key(), null);
    } catch (IOException e) {
      return StepResult.fail(STEP, "could not open a second WebSocket", connector.explain(e), null);
    }
    if (opening.socket() == null) {
      return StepResult.fail(
          STEP,
          "could not open a second WebSocket (" + opening.outcome() + ")",
          opening.detail(),
          null);
    }
    try (PusherSocket socket = opening.socket()) {
      if (!socket.subscribe(channel)) {
        return StepResult.fail(
            STEP,
            "subscribing to "
                + channel
                + " got no pusher_internal:subscription_succeeded within "
                + connector.timeout().toSeconds()
                + " s",
            "the server does not confirm public subscriptions",
            null);
      }
      long sent = System.nanoTime();
      HttpAnswer answer = api.trigger(target, channel, EVENT, "{\"from\":\"herald doctor\"}");
      if (answer.status() != 200) {
        return StepResult.fail(
            STEP,
            "POST "
                + target.path()
                + "/apps/"
                + s.appId()
                + "/events answered "
                + answer.statusLine()
                + ": "
                + answer.bodySnippet(),
            "the server refused the event Laravel would send",
            null);
      }
      JsonNode event = socket.awaitEvent(EVENT, channel);
      if (event == null) {
        return StepResult.fail(
            STEP,
            "the event was accepted (200) but did not reach the subscriber of "
                + channel
                + " within "
                + connector.timeout().toSeconds()
                + " s",
            "the HTTP request and the WebSocket reached servers that do not share subscribers",
            "run every node with the same Redis (HERALD_SCALING=redis, REDIS_URL), or send API and WebSocket traffic to the same server");
      }
      long millis = (System.nanoTime() - sent) / 1_000_000;
      return StepResult.pass(
          STEP,
          "an event POSTed to "
              + channel
              + " arrived over the WebSocket "
              + millis
              + " ms later (posted by the doctor itself: the app's queue is not on this path)");
    } catch (IOException e) {
      return StepResult.fail(STEP, "the round trip broke off", connector.explain(e), null);
    }
  }
}
