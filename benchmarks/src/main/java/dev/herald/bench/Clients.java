package dev.herald.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollMode;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;

/**
 * Netty bootstraps for the WebSocket connections, one per source address: with a loopback target
 * the connections are spread over 127.0.0.2, 127.0.0.3, ... so that each (source, destination) pair
 * stays under the ephemeral port range (about 28k ports). Connection i uses source {@code i %
 * sources}. All of them run on the {@link Env}'s one client event loop group.
 */
final class Clients {

  private static final int PORTS_PER_SOURCE = 20_000;

  private final List<Bootstrap> bootstraps = new ArrayList<>();
  final List<String> sources = new ArrayList<>();

  Clients(EventLoopGroup group, Options o, int connections) {
    int n = o.integer("source-ips");
    boolean loopback = o.str("host").startsWith("127.") || o.str("host").equals("localhost");
    if (n <= 0) {
      n = Math.max(1, (connections + PORTS_PER_SOURCE - 1) / PORTS_PER_SOURCE);
    }
    if (!loopback) {
      n = 1;
    }
    // Resolved once here rather than on the event loop for every connection.
    InetSocketAddress target = new InetSocketAddress(o.str("host"), o.integer("port"));
    for (int i = 0; i < n; i++) {
      // A connect timeout only: an open socket may stay silent for as long as the scenario holds
      // it.
      Bootstrap b =
          new Bootstrap()
              .group(group)
              .channel(
                  group instanceof EpollEventLoopGroup
                      ? EpollSocketChannel.class
                      : NioSocketChannel.class)
              .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 30_000)
              .option(ChannelOption.TCP_NODELAY, true)
              .remoteAddress(target);
      if (group instanceof EpollEventLoopGroup) {
        // Level-triggered: a read shorter than the buffer ends the read loop. Edge-triggered
        // epoll (Netty's default) reads again until EAGAIN, a second syscall for each frame when
        // every event reaches thousands of sockets one small frame each.
        b.option(EpollChannelOption.EPOLL_MODE, EpollMode.LEVEL_TRIGGERED);
      }
      if (loopback) {
        String ip = sourceIp(i);
        b.localAddress(ip, 0);
        sources.add(ip);
      } else {
        sources.add("default");
      }
      bootstraps.add(b);
    }
  }

  /** The event loops of the WebSocket connections: epoll where it loads, else NIO. */
  static EventLoopGroup newGroup(int threads) {
    DefaultThreadFactory factory = new DefaultThreadFactory("bench-ws", true);
    return Epoll.isAvailable()
        ? new EpollEventLoopGroup(threads, factory)
        : new NioEventLoopGroup(threads, factory);
  }

  /** 127.0.0.2 .. 127.0.0.254, then 127.0.1.2 ...: never 127.0.0.1 (left to the HTTP client). */
  static String sourceIp(int i) {
    return "127.0." + (i / 253) + "." + (i % 253 + 2);
  }

  Bootstrap forIndex(int i) {
    return bootstraps.get(Math.floorMod(i, bootstraps.size()));
  }

  /** How a bounded batch of connection set-ups went. */
  record Opened(int ok, int failed, long elapsedNanos, String firstError) {
    double perSecond() {
      return ok / Math.max(1e-9, elapsedNanos / 1e9);
    }
  }

  /**
   * Starts {@code n} set-ups ({@code start.apply(i)}), at most {@code concurrency} at a time, and
   * waits for all of them or until {@code timeoutSeconds} passed (the rest count as failed).
   */
  /**
   * Opens {@code n} connections, each subscribed to {@code channelOf(i)} once connected, and keeps
   * them in {@code into}; concurrency and time limit from {@code --connect-concurrency} and {@code
   * --setup-timeout}.
   */
  static Opened openSubscribed(
      Clients clients,
      Options o,
      int n,
      Deliveries sink,
      List<Conn> into,
      IntFunction<String> channelOf) {
    return openAll(
        n,
        i ->
            Conn.open(clients.forIndex(i), o, i, sink)
                .thenCompose(
                    c -> {
                      into.add(c);
                      return c.subscribe(channelOf.apply(i), null, null);
                    }),
        o.integer("connect-concurrency"),
        o.number("setup-timeout"));
  }

  static Opened openAll(
      int n, IntFunction<CompletableFuture<?>> start, int concurrency, double timeoutSeconds) {
    Semaphore permits = new Semaphore(Math.max(1, concurrency));
    AtomicInteger ok = new AtomicInteger();
    AtomicInteger failed = new AtomicInteger();
    AtomicReference<String> firstError = new AtomicReference<>();
    long t0 = System.nanoTime();
    long deadline = t0 + (long) (timeoutSeconds * 1e9);
    int started = 0;
    try {
      for (; started < n; started++) {
        long left = deadline - System.nanoTime();
        if (left <= 0 || !permits.tryAcquire(left, TimeUnit.NANOSECONDS)) {
          break;
        }
        CompletableFuture<?> f;
        try {
          f = start.apply(started);
        } catch (RuntimeException e) {
          f = CompletableFuture.failedFuture(e);
        }
        f.whenComplete(
            (v, err) -> {
              if (err == null) {
                ok.incrementAndGet();
              } else {
                failed.incrementAndGet();
                firstError.compareAndSet(null, String.valueOf(err));
              }
              permits.release();
            });
      }
      long left = deadline - System.nanoTime();
      // Wait for the ones in flight: all permits back.
      if (left > 0) {
        permits.tryAcquire(Math.max(1, concurrency), left, TimeUnit.NANOSECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    long elapsed = System.nanoTime() - t0;
    int notDone = n - ok.get() - failed.get();
    if (notDone > 0) {
      firstError.compareAndSet(null, notDone + " set-ups not finished in " + timeoutSeconds + " s");
    }
    return new Opened(ok.get(), n - ok.get(), elapsed, firstError.get());
  }
}
