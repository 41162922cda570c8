package dev.herald.webhooks;

import dev.herald.config.AppConfig;
import dev.herald.config.Redacted;
import dev.herald.config.WebhookSettings;
import dev.herald.config.WebhookTarget;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.UnaryOperator;
import java.util.logging.Logger;

/**
 * The events for one app's webhook target: gathered for the batch window, sealed into a batch in
 * the {@link BatchStore}, then delivered from the store's head one request at a time, so the target
 * sees them in order. A failed request is retried with exponential back-off and jitter until it
 * succeeds or the retry window ends; later batches wait behind it. Bounded: past the queue size,
 * new events are dropped and counted.
 *
 * <p>Thread-safe: events arrive from every event loop and responses on the HTTP client's; every
 * method holds the instance lock, and none blocks while holding it (I/O is started, not awaited).
 */
final class TargetQueue {
  private static final Logger LOG = Logger.getLogger(TargetQueue.class.getName());
  private static final long MAX_BACKOFF_MILLIS = 60_000;

  private final Vertx vertx;
  private final HttpClient client;
  private final AppConfig app;
  private final UnaryOperator<AppConfig> current;
  private final WebhookTarget target;
  private final String queueName;
  private final BatchStore store;
  private final WebhookSettings settings;
  private final Clock clock;
  private final WebhookStats stats;

  private final List<WebhookEvent> gathering = new ArrayList<>();
  private int queuedEvents;
  private boolean flushScheduled;
  private boolean inFlight;
  private int attempts;
  private String attemptsFor;
  private long droppedSinceLastLog;

  TargetQueue(
      Vertx vertx,
      HttpClient client,
      AppConfig app,
      UnaryOperator<AppConfig> current,
      WebhookTarget target,
      String queueName,
      BatchStore store,
      WebhookSettings settings,
      Clock clock,
      WebhookStats stats) {
    this.vertx = vertx;
    this.client = client;
    this.app = app;
    this.current = current;
    this.target = target;
    this.queueName = queueName;
    this.store = store;
    this.settings = settings;
    this.clock = clock;
    this.stats = stats;
  }

  synchronized void add(WebhookEvent event) {
    if (queuedEvents >= settings.queueSize()) {
      stats.dropped.incrementAndGet();
      if (droppedSinceLastLog++ % 1000 == 0) {
        LOG.warning(
            "Webhook queue for "
                + where()
                + " is full at "
                + settings.queueSize()
                + " events; dropping new events");
      }
      return;
    }
    queuedEvents++;
    stats.queued.incrementAndGet();
    gathering.add(event);
    if (gathering.size() >= settings.batchMax()) {
      seal();
    } else if (!flushScheduled) {
      flushScheduled = true;
      if (settings.batchMillis() == 0) {
        vertx.runOnContext(ignored -> flush());
      } else {
        vertx.setTimer(settings.batchMillis(), timer -> flush());
      }
    }
  }

  private synchronized void flush() {
    flushScheduled = false;
    seal();
  }

  /** Turns the gathered events into a batch with its final bytes and stores it. */
  private void seal() {
    if (gathering.isEmpty()) {
      return;
    }
    long now = clock.millis();
    StoredBatch batch =
        new StoredBatch(
            UUID.randomUUID().toString(),
            // The secret now, not when this queue was made: a rotated secret signs from here on.
            WebhookBody.of(List.copyOf(gathering), now, current.apply(app).secret()),
            now);
    gathering.clear();
    store
        .append(queueName, batch)
        .onComplete(
            stored -> {
              if (stored.failed()) {
                LOG.warning(
                    "Could not store a webhook batch for "
                        + where()
                        + ": "
                        + stored.cause().getMessage());
                forget(batch.body().eventCount());
                stats.dropped.addAndGet(batch.body().eventCount());
              }
              pump();
            });
  }

  /** Delivers the store's head unless a request is already out or another node holds the lease. */
  synchronized void pump() {
    if (inFlight) {
      // Still delivering (or waiting to retry): keep the lease so no other node takes over.
      store.lease(queueName);
      return;
    }
    inFlight = true;
    store
        .lease(queueName)
        .compose(leased -> leased ? store.head(queueName) : Future.succeededFuture(null))
        .onComplete(
            result -> {
              if (result.failed() || result.result() == null) {
                synchronized (this) {
                  inFlight = false;
                }
                return;
              }
              send(result.result());
            });
  }

  private void send(StoredBatch batch) {
    RequestOptions options =
        new RequestOptions()
            .setMethod(HttpMethod.POST)
            .setAbsoluteURI(target.url())
            .setConnectTimeout(settings.timeoutMillis())
            .setIdleTimeout(settings.timeoutMillis())
            .putHeader("Content-Type", "application/json")
            .putHeader("User-Agent", "Herald webhooks")
            .putHeader("X-Pusher-Key", app.key())
            .putHeader("X-Pusher-Signature", batch.body().signature());
    target.headers().forEach(options::putHeader);
    client
        .request(options)
        .compose(request -> request.send(Buffer.buffer(batch.body().bytes())))
        .compose(response -> response.body().map(ignored -> response.statusCode()))
        .onComplete(
            result -> {
              if (result.succeeded()) {
                answered(batch, result.result());
              } else {
                retryOrDrop(batch, result.cause().toString());
              }
            });
  }

  private synchronized void answered(StoredBatch batch, int status) {
    if (status >= 200 && status < 300) {
      stats.sent.addAndGet(batch.body().eventCount());
      done(batch);
    } else if (status >= 400 && status < 500 && status != 429 && status != 408) {
      stats.failed.addAndGet(batch.body().eventCount());
      LOG.warning(
          "Webhook to "
              + where()
              + " refused with "
              + status
              + "; not retried: "
              + batch.body().summary());
      done(batch);
    } else {
      retryOrDrop(batch, "HTTP " + status);
    }
  }

  private synchronized void retryOrDrop(StoredBatch batch, String reason) {
    if (!batch.id().equals(attemptsFor)) {
      attemptsFor = batch.id();
      attempts = 0;
    }
    attempts++;
    long elapsed = clock.millis() - batch.firstAttemptMillis();
    if (elapsed >= settings.retrySeconds() * 1000L) {
      stats.dropped.addAndGet(batch.body().eventCount());
      LOG.warning(
          "Webhook to "
              + where()
              + " dropped after "
              + attempts
              + " attempts over "
              + elapsed / 1000
              + " s ("
              + reason
              + "): "
              + batch.body().summary());
      done(batch);
      return;
    }
    stats.retried.addAndGet(batch.body().eventCount());
    long backoff = Math.min(MAX_BACKOFF_MILLIS, 500L << Math.min(attempts, 20));
    long jittered = backoff / 2 + ThreadLocalRandom.current().nextLong(backoff / 2 + 1);
    LOG.fine("Webhook to " + where() + " failed (" + reason + "), retrying in " + jittered + " ms");
    vertx.setTimer(
        Math.max(1, jittered),
        timer -> {
          synchronized (this) {
            inFlight = false;
          }
          pump();
        });
  }

  /**
   * The target as log lines name it: its origin and app, never its path, query or headers, which
   * often carry a token.
   */
  private String where() {
    return Redacted.origin(target.url()) + " (app " + app.id() + ")";
  }

  /** The head batch is finished (delivered, refused or dropped): on to the next. */
  private void done(StoredBatch batch) {
    forget(batch.body().eventCount());
    store
        .removeHead(queueName, batch)
        .onComplete(
            removed -> {
              synchronized (this) {
                inFlight = false;
              }
              pump();
            });
  }

  private synchronized void forget(int events) {
    // A batch stored by a node that died is delivered here without having been counted here.
    int counted = Math.min(events, queuedEvents);
    queuedEvents -= counted;
    stats.queued.addAndGet(-counted);
  }
}
