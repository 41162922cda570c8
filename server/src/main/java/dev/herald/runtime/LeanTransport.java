package dev.herald.runtime;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.ChannelOption;
import io.netty.channel.epoll.EpollChannelOption;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.impl.VertxBuilder;
import io.vertx.core.impl.transports.EpollTransport;
import io.vertx.core.net.NetServerOptions;

/**
 * Vert.x's epoll transport without the socket options that only restate the kernel's defaults.
 * Vert.x gives every accepted socket TCP_NODELAY (which Netty's epoll channel already sets),
 * SO_KEEPALIVE off, TCP_USER_TIMEOUT 0, TCP_QUICKACK off and TCP_CORK off: five {@code setsockopt}
 * calls per connection that change nothing, a measurable share of a connection's set-up cost
 * (strace of one accepted socket: six {@code setsockopt} before, one after). Options a setting
 * turns on (keep-alive, a user timeout, a buffer size) are still applied.
 *
 * <p>Where epoll is not available, Vert.x's own choice of transport stands (the JDK's NIO).
 */
public final class LeanTransport extends EpollTransport {
  private LeanTransport() {}

  /** A Vert.x instance on this transport when epoll is available, else on Vert.x's default. */
  public static Vertx vertx(VertxOptions options) {
    LeanTransport transport = new LeanTransport();
    if (!options.getPreferNativeTransport() || !transport.isAvailable()) {
      return Vertx.vertx(options);
    }
    return new VertxBuilder(options).findTransport(transport).init().vertx();
  }

  @Override
  public void configure(NetServerOptions options, boolean domainSocket, ServerBootstrap bootstrap) {
    super.configure(options, domainSocket, bootstrap);
    if (domainSocket) {
      return;
    }
    // A null value removes the option: Netty then leaves the socket as the kernel made it.
    if (options.isTcpNoDelay()) {
      bootstrap.childOption(ChannelOption.TCP_NODELAY, null);
    }
    if (!options.isTcpKeepAlive()) {
      bootstrap.childOption(ChannelOption.SO_KEEPALIVE, null);
    }
    if (options.getTcpUserTimeout() == 0) {
      bootstrap.childOption(EpollChannelOption.TCP_USER_TIMEOUT, null);
    }
    if (!options.isTcpQuickAck()) {
      bootstrap.childOption(EpollChannelOption.TCP_QUICKACK, null);
    }
    if (!options.isTcpCork()) {
      bootstrap.childOption(EpollChannelOption.TCP_CORK, null);
    }
  }
}
