package dev.herald.webhooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herald.config.AppConfig;
import dev.herald.config.WebhookSettings;
import dev.herald.config.WebhookTarget;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class WebhookDispatcherTest {
  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void closeVertx() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** A clock the test moves by hand. */
  private static final class ManualClock extends Clock {
    final AtomicLong millis = new AtomicLong(1_000_000);

    @Override
    public long millis() {
      return millis.get();
    }

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(millis.get());
    }

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }

  @Test
  void whatItKeepsPerChannelNameReturnsToEmptyAfterManyDistinctChannelsComeAndGo() {
    ManualClock clock = new ManualClock();
    // Nothing listens on port 1: deliveries fail and are retried, which does not matter here.
    WebhookTarget target =
        new WebhookTarget(
            "http://127.0.0.1:1/hook", WebhookTarget.EVENT_TYPES, Map.of(), null, null);
    AppConfig app = withWebhooks(AppConfig.withDefaults("1", "key", "secret"), List.of(target));
    WebhookDispatcher dispatcher =
        new WebhookDispatcher(
            vertx,
            new WebhookSettings(0, 100, 1000, 1, 100_000, 0),
            new MemoryBatchStore(),
            clock,
            found -> found);
    int channels = 20_000;
    for (int i = 0; i < channels; i++) {
      String channel = "chosen-by-a-client-" + i;
      dispatcher.emit(app, WebhookEvent.channelOccupied(channel));
      dispatcher.emit(app, WebhookEvent.subscriptionCount(channel, 1));
      if (i % 2 == 0) {
        // The last subscriber left on this node: the count reaches 0 here.
        dispatcher.emit(app, WebhookEvent.subscriptionCount(channel, 0));
        dispatcher.emit(app, WebhookEvent.channelVacated(channel));
      } else {
        // Emptied elsewhere (another node, or a node that died): no count of 0 reaches this
        // node, whose last count for the channel stays 1.
        dispatcher.emit(app, WebhookEvent.subscriptionCount(channel, 2));
      }
    }
    int before = dispatcher.trackedChannels();
    assertTrue(before <= channels / 2, () -> before + " channels tracked");
    clock.millis.addAndGet(5_000);
    dispatcher.sweep();
    assertEquals(0, dispatcher.trackedChannels());
    System.out.println(
        "WebhookDispatcherTest: "
            + channels
            + " distinct channels, "
            + before
            + " tracked before the sweep, 0 after");
  }

  @Test
  void wantsNoEventOfAnAppWithoutTargets() {
    WebhookDispatcher dispatcher = dispatcher();
    AppConfig app = AppConfig.withDefaults("1", "key", "secret");
    for (String event : WebhookTarget.EVENT_TYPES) {
      assertFalse(dispatcher.wants(app, event, "presence-room"), event);
    }
  }

  @Test
  void wantsOnlyWhatATargetOfTheNewestAppVersionAsksFor() {
    AppConfig found = AppConfig.withDefaults("1", "key", "secret");
    AppConfig newest =
        withWebhooks(found, List.of(target(Set.of(WebhookEvent.CLIENT_EVENT), "private-")));
    WebhookDispatcher dispatcher = dispatcher(newest);
    assertTrue(dispatcher.wants(found, WebhookEvent.CLIENT_EVENT, "private-chat"));
    assertFalse(dispatcher.wants(found, WebhookEvent.CLIENT_EVENT, "presence-chat"));
    assertFalse(dispatcher.wants(found, WebhookEvent.CHANNEL_OCCUPIED, "private-chat"));
  }

  @Test
  void wantsTheArrivalThatWouldCancelAWantedLeave() {
    AppConfig app =
        withWebhooks(
            AppConfig.withDefaults("1", "key", "secret"),
            List.of(
                target(Set.of(WebhookEvent.CHANNEL_VACATED, WebhookEvent.MEMBER_REMOVED), null)));
    WebhookDispatcher dispatcher = dispatcher();
    assertTrue(dispatcher.wants(app, WebhookEvent.CHANNEL_OCCUPIED, "room"));
    assertTrue(dispatcher.wants(app, WebhookEvent.MEMBER_ADDED, "presence-room"));
    assertFalse(dispatcher.wants(app, WebhookEvent.SUBSCRIPTION_COUNT, "room"));
  }

  private WebhookDispatcher dispatcher() {
    return new WebhookDispatcher(
        vertx,
        new WebhookSettings(0, 100, 1000, 1, 100_000, 0),
        new MemoryBatchStore(),
        Clock.systemUTC(),
        found -> found);
  }

  private WebhookDispatcher dispatcher(AppConfig newest) {
    return new WebhookDispatcher(
        vertx,
        new WebhookSettings(0, 100, 1000, 1, 100_000, 0),
        new MemoryBatchStore(),
        Clock.systemUTC(),
        found -> newest);
  }

  private static WebhookTarget target(Set<String> events, String channelPrefix) {
    return new WebhookTarget("http://127.0.0.1:1/hook", events, Map.of(), channelPrefix, null);
  }

  private static AppConfig withWebhooks(AppConfig app, List<WebhookTarget> targets) {
    return new AppConfig(
        app.id(),
        app.key(),
        app.secret(),
        app.enabled(),
        app.activityTimeout(),
        app.pingInterval(),
        app.pongTimeout(),
        app.maxConnections(),
        app.maxMessageSize(),
        app.acceptClientEventsFrom(),
        app.clientEventRateLimit(),
        app.maxPresenceMembers(),
        app.maxPresenceMemberSize(),
        app.maxChannelNameLength(),
        app.maxEventPayload(),
        app.cacheTtl(),
        app.userAuthenticationTimeout(),
        app.maxSubscriptionsPerConnection(),
        app.maxBackendEventsPerSecond(),
        app.maxChannelsPerEvent(),
        app.maxBatchSize(),
        app.maxEventNameLength(),
        app.allowedOrigins(),
        targets);
  }
}
