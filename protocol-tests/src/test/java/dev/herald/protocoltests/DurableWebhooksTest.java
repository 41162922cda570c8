package dev.herald.protocoltests;

import static dev.herald.protocoltests.WebhooksTest.assertEvents;
import static dev.herald.protocoltests.WebhooksTest.hook;
import static dev.herald.protocoltests.WebhooksTest.named;
import static dev.herald.protocoltests.WebhooksTest.on;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Webhook batches kept in Redis (HERALD_SCALING=redis): what a Herald could not deliver before it
 * was killed is delivered, exactly once, by the next Herald on the same Redis. Runs its own {@code
 * redis-server} on a free port; skipped when the binary is missing.
 */
class DurableWebhooksTest {

  /** The contract gives no bound: allow for a dead-node timeout plus a few back-off steps. */
  private static final Duration RECOVERY_TIMEOUT = Duration.ofSeconds(60);

  private static RedisServer redis;

  @BeforeAll
  static void startRedis() {
    RedisServer.require();
    redis = RedisServer.start();
  }

  @AfterAll
  static void stopRedis() {
    if (redis != null) {
      redis.close();
    }
  }

  private static HeraldProcess heraldOnRedis(WebhookReceiver receiver) {
    return WebhooksTest.heraldFor(
        receiver,
        WebhooksTest.ONLY_OCCUPIED,
        "HERALD_SCALING",
        "redis",
        "REDIS_URL",
        redis.url(),
        // One event per batch: several batches to keep, in order.
        "HERALD_WEBHOOK_BATCH_MAX",
        "1");
  }

  /** How the receiver answers while it should be failing: a server error, retried by Herald. */
  private static final int FAILING = 500;

  /**
   * Waits until the first batch has been refused and then retried after its back-off (at least 500
   * ms, the first step). A target's batches go out one at a time from the head of its queue, so the
   * later ones cannot be seen failing; with one event per batch each was sealed and stored as its
   * subscription happened, which was before the first refusal, so by the retry they are in Redis.
   */
  private static void awaitHeadRefusedAndRetried(WebhookReceiver receiver) {
    WebhookReceiver.Request first = receiver.awaitRequest();
    assertEquals(FAILING, first.status(), first::toString);
    WebhookReceiver.Request retried = receiver.awaitRequest();
    assertEquals(FAILING, retried.status(), retried::toString);
    WebhookReceiver.assertSameDelivery(first, retried);
  }

  @Test
  void batchesUndeliveredWhenHeraldIsKilledAreDeliveredExactlyOnceByTheNextHerald() {
    List<String> channels =
        List.of(Unique.name("durable-a-"), Unique.name("durable-b-"), Unique.name("durable-c-"));
    String after = Unique.name("durable-after-");
    try (WebhookReceiver receiver = WebhookReceiver.start()) {
      receiver.answerAllWith(FAILING);
      HeraldProcess first = heraldOnRedis(receiver).start();
      HeraldProcess second = null;
      try {
        try (RawClient client = RawClient.open(first.wsUrl())) {
          channels.forEach(client::subscribeOk);
          // The kill must find the batches formed and failing, not still in their batch window.
          awaitHeadRefusedAndRetried(receiver);
          first.kill();
        }
        second = heraldOnRedis(receiver).start();
        receiver.answerAllWith(200);

        List<JsonNode> recovered =
            receiver.awaitDelivered(
                named("channel_occupied").and(e -> channels.contains(e.path("channel").asText())),
                channels.size(),
                RECOVERY_TIMEOUT);
        try (RawClient client = RawClient.open(second.wsUrl())) {
          client.subscribeOk(after);
          receiver.awaitDelivered(on(after), 1);
        }
        assertEvents(
            channels.stream().map(c -> hook("channel_occupied", c)).toList(),
            receiver.delivered(
                named("channel_occupied").and(e -> channels.contains(e.path("channel").asText()))));
        assertEvents(List.of(hook("channel_occupied", after)), receiver.delivered(on(after)));
        assertEvents(channels.stream().map(c -> hook("channel_occupied", c)).toList(), recovered);
        receiver.assertEveryRequestWasValid();
      } finally {
        first.close();
        if (second != null) {
          second.close();
        }
      }
    }
  }
}
