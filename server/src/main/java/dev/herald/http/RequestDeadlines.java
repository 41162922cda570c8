package dev.herald.http;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.util.ArrayList;
import java.util.List;

/**
 * Closes HTTP connections whose client takes too long: a new connection must deliver a complete
 * request head (a WebSocket handshake is one) within the request timeout, a request's body must be
 * complete one request timeout after its head, and after a request the next head must come within
 * the keep-alive timeout. These are hard deadlines from fixed points, not idle timers: a client
 * trickling one byte a second (slowloris) is closed on time, which Vert.x's idle timeout, reset by
 * every byte, would never do. Once a connection becomes a WebSocket its deadline ends and the app's
 * activity timeout (ping, pong timeout) takes over.
 *
 * <p>Each connection's one {@code closeHandler} belongs to this class; others that need to know
 * when a connection ends register through {@link #whenClosed}.
 *
 * <p>Confined to its event loop: one instance per verticle, fed by that verticle's HTTP server.
 */
public final class RequestDeadlines {

  /** What the connection's client owes the server, and by when. */
  private final class Watch {
    final HttpConnection connection;
    final List<Runnable> onClose = new ArrayList<>(1);
    long timer = -1;
    HttpServerRequest current;

    Watch(HttpConnection connection) {
      this.connection = connection;
    }

    void arm(long millis, Runnable expired) {
      cancel();
      timer = vertx.setTimer(millis, id -> expired.run());
    }

    void cancel() {
      if (timer >= 0) {
        vertx.cancelTimer(timer);
        timer = -1;
      }
    }
  }

  private final Vertx vertx;
  private final long requestMillis;
  private final long keepAliveMillis;
  private final Runnable onTimeout;
  private final java.util.Map<HttpConnection, Watch> watches = new java.util.HashMap<>();

  /**
   * @param onTimeout told each time a connection is closed for missing the request deadline (for
   *     metrics); an idle keep-alive connection closed is not counted
   */
  public RequestDeadlines(
      Vertx vertx, int requestTimeoutSeconds, int keepAliveTimeoutSeconds, Runnable onTimeout) {
    this.vertx = vertx;
    this.requestMillis = requestTimeoutSeconds * 1000L;
    this.keepAliveMillis = keepAliveTimeoutSeconds * 1000L;
    this.onTimeout = onTimeout;
  }

  /** A new connection: its first request head is due within the request timeout. */
  public void opened(HttpConnection connection) {
    Watch watch = new Watch(connection);
    watches.put(connection, watch);
    connection.closeHandler(
        ignored -> {
          watch.cancel();
          watches.remove(connection);
          watch.onClose.forEach(Runnable::run);
        });
    watch.arm(requestMillis, () -> expire(watch));
  }

  /** A request head arrived: its body is due within the request timeout. */
  public void requestArrived(HttpServerRequest request) {
    Watch watch = watches.get(request.connection());
    if (watch == null) {
      return;
    }
    watch.current = request;
    watch.arm(requestMillis, () -> expire(watch));
    request
        .end()
        .onSuccess(
            ignored -> {
              if (watch.current == request) {
                watch.arm(keepAliveMillis, () -> keepAliveExpired(watch));
              }
            });
  }

  /**
   * The connection has left Vert.x (a WebSocket Herald serves itself): its deadline ends, and the
   * actions waiting for its close are returned for the new owner to run when it closes.
   */
  public List<Runnable> handOver(HttpConnection connection) {
    Watch watch = watches.remove(connection);
    if (watch == null) {
      return List.of();
    }
    watch.cancel();
    watch.current = null;
    return watch.onClose;
  }

  /** Runs {@code action} once when the connection closes, for whatever reason. */
  public void whenClosed(HttpConnection connection, Runnable action) {
    Watch watch = watches.get(connection);
    if (watch == null) {
      // Not watched (already closed): nothing will ever call it, so run it now.
      action.run();
    } else {
      watch.onClose.add(action);
    }
  }

  /**
   * The keep-alive deadline passed. A response still being written (a slow backend, the console's
   * event stream) is the server's doing, not the client's: the deadline then starts again.
   */
  private void keepAliveExpired(Watch watch) {
    if (watch.current != null && !watch.current.response().ended()) {
      watch.arm(keepAliveMillis, () -> keepAliveExpired(watch));
      return;
    }
    // Not counted as a timeout: closing an idle keep-alive connection is routine.
    watch.timer = -1;
    watch.connection.close();
  }

  /** A request head or body is overdue: 408 if nothing has been answered yet, then close. */
  private void expire(Watch watch) {
    watch.timer = -1;
    HttpServerRequest request = watch.current;
    if (request != null && request.isEnded()) {
      // The body did arrive (a handler just never read its end): not the client's fault.
      watch.arm(keepAliveMillis, () -> keepAliveExpired(watch));
      return;
    }
    onTimeout.run();
    if (request != null && !request.response().headWritten()) {
      HttpServerResponse response = request.response();
      response
          .setStatusCode(408)
          .putHeader(HttpHeaders.CONNECTION, "close")
          .end("Request Timeout")
          .onComplete(written -> watch.connection.close());
    } else {
      watch.connection.close();
    }
  }
}
