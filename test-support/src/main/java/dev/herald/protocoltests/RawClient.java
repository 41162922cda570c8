package dev.herald.protocoltests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/**
 * A bare WebSocket client (the JDK's {@link WebSocket}) that records every text frame the server
 * sends, so tests can assert the exact wire JSON. Frames are taken in arrival order with {@link
 * #awaitJson()}; nothing is answered automatically except WebSocket PING control frames (the JDK
 * replies to those with PONG). Sends are serialised; one test thread uses an instance.
 */
public final class RawClient implements AutoCloseable {

  /** How long any single expected frame or close may take. */
  public static final Duration TIMEOUT = Duration.ofSeconds(10);

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private final BlockingQueue<String> texts = new LinkedBlockingQueue<>();
  private final BlockingQueue<ByteBuffer> pongs = new LinkedBlockingQueue<>();
  private final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
  private volatile String closeReason;
  private volatile long closedAtNanos;
  private WebSocket socket;
  private String socketId;

  private RawClient() {}

  /** Opens a WebSocket to {@code url} without reading anything from it. */
  public static RawClient connect(String url) {
    return connect(url, HTTP, Map.of());
  }

  /**
   * Opens a WebSocket to {@code url} through {@code http} (e.g. one with its own SSL context),
   * sending the extra upgrade request {@code headers} (e.g. {@code Origin}), without reading
   * anything from it.
   */
  public static RawClient connect(String url, HttpClient http, Map<String, String> headers) {
    RawClient client = new RawClient();
    try {
      WebSocket.Builder builder = http.newWebSocketBuilder().connectTimeout(TIMEOUT);
      headers.forEach(builder::header);
      client.socket =
          builder
              .buildAsync(URI.create(url), client.new Listener())
              .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw new AssertionError("WebSocket upgrade to " + url + " failed: " + e.getCause(), e);
    } catch (InterruptedException | TimeoutException e) {
      throw new AssertionError("WebSocket upgrade to " + url + " failed: " + e, e);
    }
    return client;
  }

  /**
   * Opens a WebSocket and reads its first frame, which must be {@code
   * pusher:connection_established}; remembers the socket id.
   */
  public static RawClient open(String url) {
    return open(url, HTTP, Map.of());
  }

  /** {@link #open(String)} through {@code http} with extra upgrade request {@code headers}. */
  public static RawClient open(String url, HttpClient http, Map<String, String> headers) {
    RawClient client = connect(url, http, headers);
    JsonNode first = client.awaitJson();
    assertEquals(
        "pusher:connection_established",
        first.path("event").asText(),
        () -> "first frame " + first);
    client.socketId = Json.dataOf(first).path("socket_id").asText();
    return client;
  }

  /**
   * Takes over a client from {@link #connect} whose first frame, {@code established}, the caller
   * already read and found to be {@code pusher:connection_established}; remembers the socket id.
   */
  public static RawClient adopt(RawClient client, JsonNode established) {
    client.socketId = Json.dataOf(established).path("socket_id").asText();
    return client;
  }

  /** The socket id from {@code pusher:connection_established} (after {@link #open}). */
  public String socketId() {
    if (socketId == null) {
      throw new IllegalStateException("open() reads the socket id; connect() does not");
    }
    return socketId;
  }

  public void sendText(String text) {
    await(socket.sendText(text, true), "send text");
  }

  public void sendJson(Object value) {
    sendText(value instanceof String s ? s : Json.write(value));
  }

  public void sendBinary(byte[] bytes) {
    await(socket.sendBinary(ByteBuffer.wrap(bytes), true), "send binary");
  }

  /** Sends a WebSocket PING control frame and returns the payload of the PONG that answers it. */
  public byte[] pingFrame(byte[] payload) {
    await(socket.sendPing(ByteBuffer.wrap(payload)), "send ping");
    try {
      ByteBuffer pong = pongs.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      if (pong == null) {
        fail("no PONG frame within " + TIMEOUT);
      }
      byte[] bytes = new byte[pong.remaining()];
      pong.get(bytes);
      return bytes;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** The next text frame, parsed; fails when none arrives within {@link #TIMEOUT}. */
  public JsonNode awaitJson() {
    return Json.parse(awaitText(TIMEOUT));
  }

  /** The next text frame as received; fails when none arrives within the timeout. */
  public String awaitText(Duration timeout) {
    try {
      String text = texts.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (text == null) {
        fail(
            "no frame within "
                + timeout
                + (closeCode.isDone() ? " (closed with " + closeCode.join() + ")" : ""));
      }
      return text;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** Frames up to and including the first one matching; fails if none matches in time. */
  public List<JsonNode> awaitUntil(Predicate<JsonNode> last) {
    List<JsonNode> frames = new ArrayList<>();
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (true) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        fail("no matching frame within " + TIMEOUT + "; got " + frames);
      }
      JsonNode frame = Json.parse(awaitText(Duration.ofNanos(left)));
      frames.add(frame);
      if (last.test(frame)) {
        return frames;
      }
    }
  }

  /** Frames up to and including the first whose event is {@code event}. */
  public List<JsonNode> awaitUntilEvent(String event) {
    return awaitUntil(f -> event.equals(f.path("event").asText()));
  }

  /** Asserts the next frame is exactly the JSON written as {@code expected}. */
  public void assertNext(String expected) {
    Json.assertJson(expected, awaitJson());
  }

  /**
   * Sends {@code pusher:ping} and asserts the very next frame is the exact pong: proves the
   * connection is open and that nothing else was queued for it before the ping was answered.
   */
  public void assertPingPong() {
    sendText("{\"event\":\"pusher:ping\",\"data\":{}}");
    assertNext("{\"event\":\"pusher:pong\",\"data\":\"{}\"}");
  }

  public void subscribe(String channel) {
    sendText(Json.write(Map.of("event", "pusher:subscribe", "data", Map.of("channel", channel))));
  }

  /** Subscribes to a public channel and asserts the exact success reply. */
  public void subscribeOk(String channel) {
    subscribe(channel);
    assertSubscribed(channel);
  }

  /** Subscribes to a private channel with a correct signature and asserts success. */
  public void subscribePrivateOk(String channel) {
    sendText(
        Json.write(
            Map.of(
                "event",
                "pusher:subscribe",
                "data",
                Map.of("channel", channel, "auth", Signatures.privateAuth(socketId(), channel)))));
    assertSubscribed(channel);
  }

  /** Sends a correctly signed presence subscription; the caller reads the reply. */
  public void subscribePresence(String channel, String channelData) {
    sendText(
        Json.write(
            Map.of(
                "event",
                "pusher:subscribe",
                "data",
                Map.of(
                    "channel",
                    channel,
                    "auth",
                    Signatures.presenceAuth(socketId(), channel, channelData),
                    "channel_data",
                    channelData))));
  }

  /** Sends {@code pusher:signin} for {@code userData}, correctly signed for this socket. */
  public void signin(String userData) {
    signin(userData, Signatures.userAuth(socketId(), userData));
  }

  /** Sends {@code pusher:signin} with the given {@code auth}; the caller reads the reply. */
  public void signin(String userData, String auth) {
    sendJson(Map.of("event", "pusher:signin", "data", Map.of("auth", auth, "user_data", userData)));
  }

  /** Signs in as {@code userData} and asserts the exact {@code pusher:signin_success} reply. */
  public void signinOk(String userData) {
    signin(userData);
    assertNext(
        Json.write(
            Map.of(
                "event",
                "pusher:signin_success",
                "data",
                Json.write(Map.of("user_data", userData)))));
  }

  public void unsubscribe(String channel) {
    sendText(Json.write(Map.of("event", "pusher:unsubscribe", "data", Map.of("channel", channel))));
  }

  private void assertSubscribed(String channel) {
    assertNext(
        Json.write(
            Map.of(
                "event",
                "pusher_internal:subscription_succeeded",
                "channel",
                channel,
                "data",
                "{}")));
  }

  /** The close code the server sent; fails when the connection is not closed in time. */
  public int awaitClose() {
    try {
      return closeCode.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError("connection not closed within " + TIMEOUT + "; frames: " + texts);
    } catch (ExecutionException e) {
      throw new AssertionError(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  public boolean isClosed() {
    return closeCode.isDone();
  }

  public String closeReason() {
    return closeReason;
  }

  /** {@link System#nanoTime()} when the close (or the drop) was seen; 0 while open. */
  public long closedAtNanos() {
    return closedAtNanos;
  }

  /** Asserts that no frame has arrived so far that was not read yet. */
  public void assertNothingPending() {
    assertTrue(texts.isEmpty(), () -> "unexpected frames: " + texts);
  }

  /** Closes with 1000 and waits for the server's close reply (or gives up after the timeout). */
  @Override
  public void close() {
    disconnect();
  }

  /** Same as {@link #close()}, for a test that disconnects in the middle of its scenario. */
  public void disconnect() {
    if (!closeCode.isDone() && !socket.isOutputClosed()) {
      try {
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "").get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        closeCode.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      } catch (ExecutionException | TimeoutException e) {
        // Already closing or gone: aborting below is all that is left to do.
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    socket.abort();
  }

  private void await(CompletableFuture<WebSocket> send, String what) {
    try {
      send.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw new AssertionError(what + " failed: " + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      throw new AssertionError(what + " did not complete within " + TIMEOUT, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private final class Listener implements WebSocket.Listener {
    private final StringBuilder partial = new StringBuilder();

    @Override
    public void onOpen(WebSocket webSocket) {
      webSocket.request(1);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        texts.add(partial.toString());
        partial.setLength(0);
      }
      webSocket.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
      texts.add("{\"unexpected\":\"binary frame from server\"}");
      webSocket.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onPong(WebSocket webSocket, ByteBuffer message) {
      ByteBuffer copy = ByteBuffer.allocate(message.remaining());
      copy.put(message).flip();
      pongs.add(copy);
      webSocket.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
      closedAtNanos = System.nanoTime();
      closeReason = reason;
      closeCode.complete(statusCode);
      return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
      // The connection dropped without a close frame: record it as 1006 (abnormal closure).
      if (!closeCode.isDone()) {
        closedAtNanos = System.nanoTime();
      }
      closeReason = String.valueOf(error);
      closeCode.complete(1006);
    }
  }
}
