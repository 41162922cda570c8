package dev.herald.protocoltests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/**
 * The app's side of webhooks: a Vert.x HTTP server on a free loopback port that records every
 * request (headers and raw body bytes), answers each with the next status of a queue (200 when the
 * queue is empty, or {@link #HANG}: no answer at all), and checks every request the way
 * pusher-http-node's {@code webhook().isValid()} does: POST, {@code Content-Type:
 * application/json}, {@code X-Pusher-Key} the app key and {@code X-Pusher-Signature} the hex
 * HMAC-SHA256 of the raw body under the app secret. It can stop listening and listen again on the
 * same port, to play an outage.
 *
 * <p>Thread-safe: requests are recorded on the Vert.x event loop and read from test threads.
 */
final class WebhookReceiver implements AutoCloseable {

  /** A "status" that leaves the request unanswered until the caller gives up on it. */
  static final int HANG = 0;

  /** How long any single expected request or set of events may take (retries included). */
  static final Duration TIMEOUT = Duration.ofSeconds(20);

  /** One request as received, with the status it was answered with ({@link #HANG} if none). */
  record Request(
      int index,
      String method,
      String path,
      Map<String, List<String>> headers,
      byte[] body,
      int status,
      long receivedNanos) {

    /** The only value of a header (case-insensitive name), null when absent. */
    String header(String name) {
      List<String> values = headers.get(name);
      assertTrue(
          values == null || values.size() == 1,
          () -> "header " + name + " repeated: " + values + " in request " + index);
      return values == null ? null : values.get(0);
    }

    String bodyText() {
      return new String(body, StandardCharsets.UTF_8);
    }

    JsonNode json() {
      return Json.parse(bodyText());
    }

    /** The {@code events} array of the body, in order. */
    List<JsonNode> events() {
      List<JsonNode> events = new ArrayList<>();
      json().path("events").forEach(events::add);
      return events;
    }

    boolean delivered() {
      return status >= 200 && status < 300;
    }

    @Override
    public String toString() {
      return "#" + index + " " + method + " " + path + " -> " + status + " " + bodyText();
    }
  }

  private final Vertx vertx = Vertx.vertx();
  private final String key;
  private final String secret;
  private final BlockingQueue<Request> queue = new LinkedBlockingQueue<>();

  // Guarded by this.
  private final Deque<Integer> statuses = new ArrayDeque<>();
  private final List<Request> requests = new ArrayList<>();
  private final List<JsonNode> delivered = new ArrayList<>();
  private final List<String> problems = new ArrayList<>();
  private final List<HttpServerRequest> hanging = new ArrayList<>();
  private int otherwise = 200;

  private HttpServer server;
  private int port;

  private WebhookReceiver(String key, String secret) {
    this.key = key;
    this.secret = secret;
  }

  /** A receiver for the default test app, listening on a free port. */
  static WebhookReceiver start() {
    return start(HeraldProcess.APP_KEY, HeraldProcess.APP_SECRET);
  }

  /** A receiver that expects requests signed for {@code key} / {@code secret}. */
  static WebhookReceiver start(String key, String secret) {
    WebhookReceiver receiver = new WebhookReceiver(key, secret);
    receiver.listen(0);
    return receiver;
  }

  /** The URL to configure as the webhook target. */
  String url() {
    return "http://127.0.0.1:" + port + "/hook";
  }

  int port() {
    return port;
  }

  /** Answers the next requests with these statuses, in order (then {@link #answerAllWith}'s). */
  synchronized void respondWith(int... next) {
    for (int status : next) {
      statuses.add(status);
    }
  }

  /** Answers every request not given a status by {@link #respondWith} with {@code status}. */
  synchronized void answerAllWith(int status) {
    otherwise = status;
  }

  /** Stops listening: new connections to the port are refused; open requests are dropped. */
  void stop() {
    HttpServer current;
    synchronized (this) {
      current = server;
      server = null;
    }
    if (current != null) {
      await(current.close(), "close the webhook receiver");
    }
  }

  /** Listens again on the same port after {@link #stop()}. */
  void restart() {
    listen(port);
  }

  private void listen(int wanted) {
    HttpServer created =
        vertx.createHttpServer(
            new HttpServerOptions().setHost("127.0.0.1").setPort(wanted).setReuseAddress(true));
    created.requestHandler(this::handle);
    HttpServer listening = await(created.listen(), "listen on 127.0.0.1:" + wanted);
    synchronized (this) {
      server = listening;
      port = listening.actualPort();
    }
  }

  private void handle(HttpServerRequest request) {
    long receivedNanos = System.nanoTime();
    request
        .body()
        .onFailure(error -> addProblem("could not read a request body: " + error))
        .onSuccess(
            buffer -> {
              byte[] body = buffer.getBytes();
              Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
              request
                  .headers()
                  .forEach(
                      h ->
                          headers
                              .computeIfAbsent(h.getKey(), k -> new ArrayList<>())
                              .add(h.getValue()));
              int status;
              Request recorded;
              synchronized (this) {
                Integer next = statuses.poll();
                status = next == null ? otherwise : next;
                recorded =
                    new Request(
                        requests.size() + 1,
                        request.method().name(),
                        request.path(),
                        headers,
                        body,
                        status,
                        receivedNanos);
                requests.add(recorded);
                check(recorded);
                if (recorded.delivered()) {
                  try {
                    recorded.events().forEach(delivered::add);
                  } catch (AssertionError notJson) {
                    problems.add("body is not JSON: " + recorded);
                  }
                }
                notifyAll();
              }
              queue.add(recorded);
              if (status == HANG) {
                synchronized (this) {
                  hanging.add(request);
                }
              } else {
                request.response().setStatusCode(status).end();
              }
            });
  }

  /** Records (never throws, this runs on the event loop) what a Pusher webhook check rejects. */
  private void check(Request request) {
    List<String> wrong = new ArrayList<>();
    if (!request.method().equals("POST")) {
      wrong.add("method " + request.method());
    }
    List<String> type = request.headers().get("Content-Type");
    if (type == null || !type.equals(List.of("application/json"))) {
      wrong.add("Content-Type " + type);
    }
    List<String> appKey = request.headers().get("X-Pusher-Key");
    if (appKey == null || !appKey.equals(List.of(key))) {
      wrong.add("X-Pusher-Key " + appKey);
    }
    List<String> signature = request.headers().get("X-Pusher-Signature");
    String expected = Signatures.hmacSha256Hex(secret, request.body());
    if (signature == null || !signature.equals(List.of(expected))) {
      wrong.add("X-Pusher-Signature " + signature + " (expected " + expected + ")");
    }
    if (!wrong.isEmpty()) {
      problems.add("request #" + request.index() + ": " + wrong + " in " + request);
    }
  }

  private synchronized void addProblem(String problem) {
    problems.add(problem);
  }

  /** Fails when any request so far would fail a receiver's signature and header checks. */
  synchronized void assertEveryRequestWasValid() {
    assertTrue(problems.isEmpty(), () -> "invalid webhook requests: " + problems);
  }

  /** The next request not taken yet, in arrival order; fails when none comes in time. */
  Request awaitRequest() {
    return awaitRequest(TIMEOUT);
  }

  Request awaitRequest(Duration timeout) {
    try {
      Request request = queue.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (request == null) {
        fail("no webhook request within " + timeout + "; all so far: " + requests());
      }
      return request;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** Every request so far, in arrival order. */
  synchronized List<Request> requests() {
    return List.copyOf(requests);
  }

  /** The events of every request answered 2xx so far, in arrival order. */
  synchronized List<JsonNode> delivered() {
    return List.copyOf(delivered);
  }

  /** The delivered events so far that match. */
  synchronized List<JsonNode> delivered(Predicate<JsonNode> matching) {
    return delivered.stream().filter(matching).toList();
  }

  /**
   * Waits until at least {@code count} delivered events match, then returns all the matching ones
   * delivered so far, in order; fails when too few arrive in time.
   */
  List<JsonNode> awaitDelivered(Predicate<JsonNode> matching, int count) {
    return awaitDelivered(matching, count, TIMEOUT);
  }

  /** {@link #awaitDelivered(Predicate, int)} with its own timeout. */
  synchronized List<JsonNode> awaitDelivered(
      Predicate<JsonNode> matching, int count, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      List<JsonNode> found = delivered(matching);
      if (found.size() >= count) {
        return found;
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        fail(
            "expected "
                + count
                + " matching delivered webhook events within "
                + timeout
                + ", got "
                + found
                + "; all requests: "
                + requests);
      }
      try {
        TimeUnit.NANOSECONDS.timedWait(this, left);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  /** The request that delivered this exact event (the first 2xx one holding it). */
  synchronized Request requestDelivering(JsonNode event) {
    return requests.stream()
        .filter(r -> r.delivered() && r.events().contains(event))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no delivered request holds " + event));
  }

  @Override
  public void close() {
    synchronized (this) {
      hanging.clear();
    }
    await(vertx.close(), "close the webhook receiver's Vert.x");
  }

  private static <T> T await(Future<T> future, String what) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw new AssertionError(what + " failed: " + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      throw new AssertionError(what + " did not complete in time", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** Asserts that two requests carry the very same bytes and signature (a retry). */
  static void assertSameDelivery(Request first, Request again) {
    assertEquals(first.bodyText(), again.bodyText(), "retried body differs");
    assertTrue(Arrays.equals(first.body(), again.body()), "retried body is not byte-identical");
    assertEquals(
        first.header("X-Pusher-Signature"),
        again.header("X-Pusher-Signature"),
        "retried signature differs");
  }
}
