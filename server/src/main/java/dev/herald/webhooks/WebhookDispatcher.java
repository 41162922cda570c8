package dev.herald.webhooks;

import dev.herald.config.AppConfig;
import dev.herald.config.WebhookSettings;
import dev.herald.config.WebhookTarget;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;

/**
 * Routes webhook events to each app's targets: holds channel_vacated and member_removed back for
 * the leave delay (dropping both halves of a quick leave-and-return), throttles subscription_count
 * on busy channels, and hands the rest to one {@link TargetQueue} per app and target. What it keeps
 * per channel name (a client chooses those) is bounded in time: a held leave lives for the leave
 * delay, a count's send time for the 5 s busy interval, then a sweep forgets it. Thread-safe.
 */
public final class WebhookDispatcher implements Webhooks {
  /** Pusher sends subscription_count at most every 5 s for channels with more than 100. */
  private static final int BUSY_CHANNEL = 100;

  private static final long BUSY_INTERVAL_MILLIS = 5_000;

  private record TargetKey(String appId, WebhookTarget target) {}

  /** A leave held back, by what would cancel it. */
  private record LeaveKey(String appId, String channel, String userId) {}

  private record ChannelKey(String appId, String channel) {}

  private final Vertx vertx;
  private final WebhookSettings settings;
  private final Clock clock;
  private final HttpClient client;
  private final WebhookStats stats = new WebhookStats();
  private final Map<TargetKey, TargetQueue> queues = new ConcurrentHashMap<>();
  private final Map<LeaveKey, Long> heldLeaves = new ConcurrentHashMap<>();
  private final Map<ChannelKey, Long> lastCountSent = new ConcurrentHashMap<>();
  private final Map<ChannelKey, WebhookEvent> pendingCounts = new ConcurrentHashMap<>();

  private final BatchStore store;
  private final UnaryOperator<AppConfig> current;
  private final long sweeper;

  /**
   * @param store where sealed batches wait: {@link MemoryBatchStore}, or a shared durable one
   * @param current the newest version of an app (from {@code AppProvider.current}): events arrive
   *     with the copy their connection found, and a rotated secret must sign them anyway
   */
  public WebhookDispatcher(
      Vertx vertx,
      WebhookSettings settings,
      BatchStore store,
      Clock clock,
      UnaryOperator<AppConfig> current) {
    this.vertx = vertx;
    this.current = current;
    this.settings = settings;
    this.store = store;
    this.clock = clock;
    this.sweeper = vertx.setPeriodic(BUSY_INTERVAL_MILLIS, timer -> sweep());
    this.client =
        vertx.createHttpClient(
            new HttpClientOptions()
                .setConnectTimeout(settings.timeoutMillis())
                .setKeepAlive(true)
                .setName("herald-webhooks"),
            new PoolOptions().setHttp1MaxSize(4));
  }

  public WebhookStats stats() {
    return stats;
  }

  /**
   * True when a target of the app's newest version wants the event, or wants the other half of a
   * leave-and-return: an arrival must still be built when only its leave is wanted, because the
   * arrival is what cancels a leave held back for the leave delay.
   */
  @Override
  public boolean wants(AppConfig found, String eventName, String channel) {
    String partner = partner(eventName);
    for (WebhookTarget target : current.apply(found).webhooks()) {
      if (target.wants(eventName, channel) || (partner != null && target.wants(partner, channel))) {
        return true;
      }
    }
    return false;
  }

  private static String partner(String eventName) {
    return switch (eventName) {
      case WebhookEvent.CHANNEL_OCCUPIED -> WebhookEvent.CHANNEL_VACATED;
      case WebhookEvent.CHANNEL_VACATED -> WebhookEvent.CHANNEL_OCCUPIED;
      case WebhookEvent.MEMBER_ADDED -> WebhookEvent.MEMBER_REMOVED;
      case WebhookEvent.MEMBER_REMOVED -> WebhookEvent.MEMBER_ADDED;
      default -> null;
    };
  }

  @Override
  public void emit(AppConfig found, WebhookEvent event) {
    AppConfig app = current.apply(found);
    if (app.webhooks().isEmpty()) {
      return;
    }
    switch (event.name()) {
      case "channel_vacated", "member_removed" -> {
        if (event.name().equals("channel_vacated")) {
          lastCountSent.remove(new ChannelKey(app.id(), event.channel()));
        }
        holdLeave(app, event);
      }
      case "channel_occupied", "member_added" -> {
        synchronized (heldLeaves) {
          Long held = heldLeaves.remove(leaveKey(app, event));
          if (held != null) {
            // Left and came back within the delay: neither half is news to the app.
            vertx.cancelTimer(held);
            return;
          }
        }
        dispatch(app, event);
      }
      case "subscription_count" -> {
        if (app.webhooks().stream().anyMatch(t -> t.wants(event.name(), event.channel()))) {
          throttleCount(app, event);
        }
      }
      default -> dispatch(app, event);
    }
  }

  public Future<Void> close() {
    vertx.cancelTimer(sweeper);
    return client.close();
  }

  /**
   * Forgets the send times older than the busy interval: they no longer hold anything back, and
   * keeping them would keep one entry per channel name a client ever used. This also covers a
   * channel emptied by another node (its count never reaches 0 here) or by a node that died.
   */
  void sweep() {
    long now = clock.millis();
    lastCountSent
        .entrySet()
        .removeIf(
            entry ->
                now - entry.getValue() >= BUSY_INTERVAL_MILLIS
                    && !pendingCounts.containsKey(entry.getKey()));
  }

  /** Channels this dispatcher holds anything for (send times, pending counts, held leaves). */
  int trackedChannels() {
    return lastCountSent.size() + pendingCounts.size() + heldLeaves.size();
  }

  private static LeaveKey leaveKey(AppConfig app, WebhookEvent event) {
    return new LeaveKey(app.id(), event.channel(), event.userId());
  }

  private void holdLeave(AppConfig app, WebhookEvent event) {
    if (settings.leaveDelayMillis() == 0) {
      dispatch(app, event);
      return;
    }
    LeaveKey key = leaveKey(app, event);
    synchronized (heldLeaves) {
      long timer =
          vertx.setTimer(
              settings.leaveDelayMillis(),
              fired -> {
                boolean due;
                synchronized (heldLeaves) {
                  due = heldLeaves.remove(key, fired);
                }
                if (due) {
                  dispatch(app, event);
                }
              });
      heldLeaves.put(key, timer);
    }
  }

  private void throttleCount(AppConfig app, WebhookEvent event) {
    int count = (Integer) event.fields().get("subscription_count");
    ChannelKey key = new ChannelKey(app.id(), event.channel());
    long now = clock.millis();
    Long last = lastCountSent.get(key);
    if (count <= BUSY_CHANNEL || last == null || now - last >= BUSY_INTERVAL_MILLIS) {
      lastCountSent.put(key, now);
      pendingCounts.remove(key);
      dispatch(app, event);
      if (count == 0) {
        lastCountSent.remove(key);
      }
      return;
    }
    // Busy channel inside its interval: keep only the newest count and send it when due.
    if (pendingCounts.put(key, event) == null) {
      vertx.setTimer(
          Math.max(1, last + BUSY_INTERVAL_MILLIS - now),
          fired -> {
            WebhookEvent latest = pendingCounts.remove(key);
            if (latest != null) {
              lastCountSent.put(key, clock.millis());
              dispatch(app, latest);
            }
          });
    }
  }

  private void dispatch(AppConfig app, WebhookEvent event) {
    for (WebhookTarget target : app.webhooks()) {
      if (target.wants(event.name(), event.channel())) {
        queue(app, target).add(event);
      }
    }
  }

  private TargetQueue queue(AppConfig app, WebhookTarget target) {
    return queues.computeIfAbsent(
        new TargetKey(app.id(), target),
        key ->
            new TargetQueue(
                vertx,
                client,
                app,
                current,
                target,
                queueName(app, target),
                store,
                settings,
                clock,
                stats));
  }

  /** A name for an app's target that is the same in every process with the same configuration. */
  static String queueName(AppConfig app, WebhookTarget target) {
    String identity =
        target.url()
            + "|"
            + new java.util.TreeSet<>(target.eventTypes())
            + "|"
            + new java.util.TreeMap<>(target.headers())
            + "|"
            + target.channelPrefix()
            + "|"
            + target.channelSuffix();
    return app.id()
        + "/"
        + dev.herald.auth.Signatures.hmacSha256Hex("herald-webhook-target", identity)
            .substring(0, 16);
  }

  /**
   * Starts delivering what the store already holds for these apps (batches a previous process
   * stored and did not deliver), and keeps checking for them while the process runs.
   */
  public void resume(java.util.Collection<AppConfig> apps) {
    Runnable pumpAll =
        () -> {
          for (AppConfig app : apps) {
            for (WebhookTarget target : app.webhooks()) {
              queue(app, target).pump();
            }
          }
          queues.values().forEach(TargetQueue::pump);
        };
    pumpAll.run();
    vertx.setPeriodic(1_000, timer -> pumpAll.run());
  }
}
