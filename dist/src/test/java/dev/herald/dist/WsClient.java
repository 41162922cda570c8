package dev.herald.dist;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A Pusher-protocol WebSocket client on the JDK's own WebSocket: the frames it receives in a queue
 * and the close code the server sent. Thread-safe.
 */
final class WsClient implements WebSocket.Listener, AutoCloseable {
  private final BlockingQueue<String> frames = new LinkedBlockingQueue<>();
  private final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
  private final StringBuilder partial = new StringBuilder();
  private WebSocket socket;

  static WsClient connect(String url) throws Exception {
    WsClient client = new WsClient();
    client.socket =
        HttpClient.newHttpClient()
            .newWebSocketBuilder()
            .connectTimeout(Duration.ofSeconds(10))
            .buildAsync(URI.create(url), client)
            .get(15, TimeUnit.SECONDS);
    client.await("pusher:connection_established");
    return client;
  }

  /** Subscribes to a public channel and waits for the server's confirmation. */
  void subscribe(String channel) throws Exception {
    socket
        .sendText(
            "{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":\"" + channel + "\"}}", true)
        .get(5, TimeUnit.SECONDS);
    await("pusher_internal:subscription_succeeded");
  }

  /** The next frame containing {@code text}, skipping others; fails after 15 s. */
  String await(String text) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (true) {
      String frame = frames.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
      if (frame == null) {
        throw new AssertionError("no frame with " + text + " within 15 s");
      }
      if (frame.contains(text)) {
        return frame;
      }
    }
  }

  /** The close code the server sent, once it closes. */
  CompletableFuture<Integer> closeCode() {
    return closeCode;
  }

  @Override
  public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
    partial.append(data);
    if (last) {
      frames.add(partial.toString());
      partial.setLength(0);
    }
    webSocket.request(1);
    return null;
  }

  @Override
  public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
    closeCode.complete(statusCode);
    return null;
  }

  @Override
  public void onError(WebSocket webSocket, Throwable error) {
    closeCode.completeExceptionally(error);
  }

  @Override
  public void close() {
    if (!socket.isOutputClosed()) {
      socket.sendClose(WebSocket.NORMAL_CLOSURE, "");
    }
    socket.abort();
  }
}
