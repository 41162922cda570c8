package dev.herald.websocket;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.impl.ConnectionBase;
import java.util.List;

/**
 * Takes an upgrading connection away from Vert.x's HTTP/1.1 server: its handlers leave the Netty
 * pipeline and Herald's {@link FrameReader} (or nothing, for a refused upgrade) takes their place,
 * on the same channel and event loop. Vert.x keeps the HTTP API, the router and the verticles; only
 * the WebSocket connections, which are most of a node's connections and memory, no longer carry
 * Vert.x's connection, request and WebSocket objects for their whole life.
 *
 * <p>This is the one place that knows Vert.x's pipeline ({@code HttpServerWorker} of Vert.x 4.5
 * names its handlers; {@code ConnectionBase} exposes the channel). Vert.x does the same to a
 * connection it hands over as a {@code NetSocket}. Once taken, the connection is Herald's alone:
 * Vert.x's close handlers no longer run, so whoever needs to know when it closes watches the
 * channel. Called on the connection's event loop.
 */
final class ChannelTakeover {
  /**
   * Vert.x's handlers of an HTTP/1.1 connection, "handler" (its connection) first so nothing more
   * reaches it, the request decoder last so bytes it holds flow on to the handler that replaces it.
   * TLS ("ssl") stays in front.
   */
  private static final List<String> VERTX_HANDLERS =
      List.of(
          "handler",
          "idle",
          "globalTrafficShaping",
          "chunkedWriter",
          "deflater",
          "inflater",
          "httpEncoder",
          "httpDecoder");

  private ChannelTakeover() {}

  /** The channel under a Vert.x HTTP/1.1 connection, or null for any other kind. */
  static Channel channelOf(HttpConnection connection) {
    return connection instanceof ConnectionBase ? ((ConnectionBase) connection).channel() : null;
  }

  /**
   * Puts {@code successor} at the end of the pipeline, behind Vert.x's handlers, and returns its
   * context; nothing reaches it until {@link #removeVertx} runs.
   */
  static ChannelHandlerContext install(Channel channel, ChannelHandler successor) {
    ChannelPipeline pipeline = channel.pipeline();
    pipeline.addLast("herald-websocket", successor);
    return pipeline.context(successor);
  }

  /**
   * Removes Vert.x's handlers: from now on the connection's bytes go to the handler installed
   * behind them, or are dropped without one. Vert.x must not write to the connection afterwards.
   */
  static void removeVertx(Channel channel) {
    ChannelPipeline pipeline = channel.pipeline();
    for (String name : VERTX_HANDLERS) {
      if (pipeline.get(name) != null) {
        pipeline.remove(name);
      }
    }
  }
}
