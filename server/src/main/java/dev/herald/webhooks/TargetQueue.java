package dev.herald.webhooks;

import dev.herald.config.AppConfig;
import dev.herald.config.WebhookSettings;
import dev.herald.config.WebhookTarget;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.logging.Logger;

/**
 * The events waiting for one app's webhook target: gathered into batches for the batch window, then
 * delivered one request at a time in order, each retried with exponential back-off and jitter until
 * it succeeds or the retry window ends. One request in flight keeps a target's events in order.
 * Bounded: past the queue size new events are dropped and counted.
 *
 * <p>Thread-safe: events arrive from every event loop and responses on the HTTP client's; every
 * method holds the instance lock, and none blocks while holding it (requests are started, not
 * awaited).
 */
final class TargetQueue {
  private static final Logger LOG = Logger.getLogger(TargetQueue.class.getName());
  private static final long MAX_BACKOFF_MILLIS = 60_000;

  private record Batch(WebhookBody body, long firstAttemptMillis, int attempts) {
    Batch attempted() {
      return new Batch(body, firstAttemptMillis, attempts + 1);
    }
  }

  private final Vertx vertx;
  private final HttpClient client;
  private final AppConfig app;
  private final WebhookTarget target;
  private final WebhookSettings settings;
  private final Clock clock;
  private final WebhookStats stats;

  private final List<WebhookEvent> gathering = new ArrayList<>();
  private final Deque<Batch> outbox = new ArrayDeque<>();
  private int queuedEvents;
  private boolean flushScheduled;
  private boolean inFlight;
  private long droppedSinceLastLog;

  TargetQueue(
      Vertx vertx,
      HttpClient client,
      AppConfig app,
      WebhookTarget target,
      WebhookSettings settings,
      Clock clock,
      WebhookStats stats) {
    this.vertx = vertx;
    this.client = client;
    this.app = app;
    this.target = target;
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
                + target.url()
                + " (app "
                + app.id()
                + ") is full at "
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
      deliverNext();
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
    deliverNext();
  }

  /** Turns the gathered events into a batch with its final bytes. */
  private void seal() {
    if (gathering.isEmpty()) {
      return;
    }
    long now = clock.millis();
    outbox.add(new Batch(WebhookBody.of(List.copyOf(gathering), now, app.secret()), now, 0));
    gathering.clear();
  }

  private synchronized void deliverNext() {
    if (inFlight || outbox.isEmpty()) {
      return;
    }
    inFlight = true;
    Batch batch = outbox.peek().attempted();
    outbox.poll();
    outbox.addFirst(batch);
    send(batch);
  }

  private void send(Batch batch) {
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

  private synchronized void answered(Batch batch, int status) {
    if (status >= 200 && status < 300) {
      done(batch);
      stats.sent.addAndGet(batch.body().eventCount());
    } else if (status >= 400 && status < 500 && status != 429 && status != 408) {
      done(batch);
      stats.failed.addAndGet(batch.body().eventCount());
      LOG.warning(
          "Webhook to "
              + target.url()
              + " refused with "
              + status
              + "; not retried: "
              + batch.body());
    } else {
      retryOrDrop(batch, "HTTP " + status);
    }
  }

  private synchronized void retryOrDrop(Batch batch, String reason) {
    long elapsed = clock.millis() - batch.firstAttemptMillis();
    if (elapsed >= settings.retrySeconds() * 1000L) {
      done(batch);
      stats.dropped.addAndGet(batch.body().eventCount());
      LOG.warning(
          "Webhook to "
              + target.url()
              + " dropped after "
              + batch.attempts()
              + " attempts over "
              + elapsed / 1000
              + " s ("
              + reason
              + "): "
              + batch.body());
      return;
    }
    stats.retried.addAndGet(batch.body().eventCount());
    long backoff = Math.min(MAX_BACKOFF_MILLIS, 500L << Math.min(batch.attempts(), 20));
    long jittered = backoff / 2 + ThreadLocalRandom.current().nextLong(backoff / 2 + 1);
    LOG.fine(
        "Webhook to " + target.url() + " failed (" + reason + "), retrying in " + jittered + " ms");
    vertx.setTimer(
        Math.max(1, jittered),
        timer -> {
          synchronized (this) {
            inFlight = false;
            deliverNext();
          }
        });
  }

  /** The head batch is finished (delivered, refused or dropped): on to the next. */
  private void done(Batch batch) {
    outbox.poll();
    queuedEvents -= batch.body().eventCount();
    stats.queued.addAndGet(-batch.body().eventCount());
    inFlight = false;
    deliverNext();
  }
}
