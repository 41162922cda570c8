package dev.herald.bench;

import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One Pusher protocol 7 client connection: waits for {@code pusher:connection_established},
 * subscribes (with channel authorisation for private and presence channels), answers {@code
 * pusher:ping}, and hands benchmark events (frames carrying {@code _bt}, the send time) to a {@link
 * Sink} without parsing them as JSON. Its handlers run on the connection's event loop.
 */
final class Conn {

  /** What a scenario wants to hear about. Called on event-loop threads: keep it cheap. */
  interface Sink {
    /** A frame carrying a benchmark timestamp; {@code now} is System.nanoTime() on receipt. */
    default void onBench(Conn c, String raw, long now) {}

    default void onMember(Conn c, boolean added) {}

    /** A {@code pusher:error} or {@code pusher:subscription_error}. */
    default void onError(Conn c, String raw) {}

    /** The server closed (or the socket failed) while the scenario still wanted it. */
    default void onUnexpectedClose(Conn c) {}
  }

  final int index;
  private final Sink sink;
  private volatile WebSocket ws;
  private volatile String socketId;
  private volatile boolean closing;

  /** Status and reason of an unexpected close, for the report. */
  volatile String lastClose;

  private final CompletableFuture<Conn> established = new CompletableFuture<>();
  private final ConcurrentHashMap<String, CompletableFuture<Long>> pending =
      new ConcurrentHashMap<>();

  private Conn(int index, Sink sink) {
    this.index = index;
    this.sink = sink;
  }

  /** Connects; the future completes with the connection once {@code socket_id} is known. */
  static CompletableFuture<Conn> open(WebSocketClient client, Options o, int index, Sink sink) {
    Conn c = new Conn(index, sink);
    String p = o.str("path");
    String prefix = p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
    WebSocketConnectOptions options =
        new WebSocketConnectOptions()
            .setHost(o.str("host"))
            .setPort(o.integer("port"))
            .setURI(
                prefix
                    + "/app/"
                    + o.str("key")
                    + "?protocol=7&client=herald-bench&version=1.0&flash=false");
    client
        .connect(options)
        .onComplete(
            ar -> {
              if (ar.failed()) {
                c.established.completeExceptionally(ar.cause());
                return;
              }
              WebSocket w = ar.result();
              c.ws = w;
              w.textMessageHandler(c::onText);
              w.exceptionHandler(t -> {});
              w.closeHandler(v -> c.onClose());
            });
    return c.established;
  }

  String socketId() {
    return socketId;
  }

  private void onText(String s) {
    if (s.indexOf("_bt") >= 0) {
      sink.onBench(this, s, System.nanoTime());
      return;
    }
    JsonObject j;
    try {
      j = new JsonObject(s);
    } catch (RuntimeException e) {
      sink.onError(this, s);
      return;
    }
    String event = j.getString("event", "");
    switch (event) {
      case "pusher:connection_established" -> {
        Object data = j.getValue("data");
        JsonObject d = data instanceof JsonObject jo ? jo : new JsonObject(String.valueOf(data));
        socketId = d.getString("socket_id");
        established.complete(this);
      }
      case "pusher_internal:subscription_succeeded" -> {
        CompletableFuture<Long> f = pending.remove(j.getString("channel", ""));
        if (f != null) {
          f.complete(System.nanoTime());
        }
      }
      case "pusher:subscription_error" -> {
        sink.onError(this, s);
        CompletableFuture<Long> f = pending.remove(j.getString("channel", ""));
        if (f != null) {
          f.completeExceptionally(new IllegalStateException(s));
        }
      }
      case "pusher:error" -> {
        sink.onError(this, s);
        if (!established.isDone()) {
          established.completeExceptionally(new IllegalStateException(s));
        }
      }
      case "pusher:ping" -> send("{\"event\":\"pusher:pong\",\"data\":{}}");
      case "pusher_internal:member_added" -> sink.onMember(this, true);
      case "pusher_internal:member_removed" -> sink.onMember(this, false);
      default -> {
        // Other frames (pong, cache_miss, ...) do not matter to the scenarios.
      }
    }
  }

  private void onClose() {
    IllegalStateException closed = new IllegalStateException("connection closed");
    established.completeExceptionally(closed);
    pending.values().forEach(f -> f.completeExceptionally(closed));
    if (!closing) {
      WebSocket w = ws;
      Short code = w == null ? null : w.closeStatusCode();
      lastClose = "close " + code + " " + (w == null ? "" : w.closeReason());
      sink.onUnexpectedClose(this);
    }
  }

  void send(String text) {
    WebSocket w = ws;
    if (w != null && !w.isClosed()) {
      w.writeTextMessage(text);
    }
  }

  /** Subscribes; the future holds System.nanoTime() of {@code subscription_succeeded}. */
  CompletableFuture<Long> subscribe(String channel, String auth, String channelData) {
    CompletableFuture<Long> f = new CompletableFuture<>();
    pending.put(channel, f);
    JsonObject data = new JsonObject().put("channel", channel);
    if (auth != null) {
      data.put("auth", auth);
    }
    if (channelData != null) {
      data.put("channel_data", channelData);
    }
    send(new JsonObject().put("event", "pusher:subscribe").put("data", data).encode());
    return f;
  }

  void unsubscribe(String channel) {
    send(
        new JsonObject()
            .put("event", "pusher:unsubscribe")
            .put("data", new JsonObject().put("channel", channel))
            .encode());
  }

  void close() {
    closing = true;
    WebSocket w = ws;
    if (w != null && !w.isClosed()) {
      w.close();
    }
  }
}
