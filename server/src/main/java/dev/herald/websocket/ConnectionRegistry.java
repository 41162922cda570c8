package dev.herald.websocket;

import java.security.SecureRandom;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Every live connection of this node by socket id, and the connection count of each app for its
 * quota. Thread-safe: event loops register and remove their own sessions concurrently.
 */
public final class ConnectionRegistry {
  /**
   * Socket ids must not be guessable: {@code toOthers()} ({@code socket_id} of an HTTP API event)
   * leaves a connection out by its id, and private channel signatures are made over it. {@link
   * java.util.concurrent.ThreadLocalRandom} is predictable from a few outputs; this is not.
   * Thread-safe.
   */
  /**
   * Socket ids are unpredictable (an id is what a private channel's signature binds to). One
   * generator per event loop: a shared one locks, and the platform's default reads /dev/urandom as
   * it goes, a file read on the loop; DRBG is seeded once and then only computes.
   */
  private static final ThreadLocal<SecureRandom> RANDOM =
      ThreadLocal.withInitial(ConnectionRegistry::newRandom);

  private static SecureRandom newRandom() {
    try {
      return SecureRandom.getInstance("DRBG");
    } catch (java.security.NoSuchAlgorithmException e) {
      return new SecureRandom();
    }
  }

  private final Map<String, Session> bySocketId = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> countByApp = new ConcurrentHashMap<>();

  /**
   * Reserves a place for a new connection of the app.
   *
   * @return false when the app is at its connection limit (0 = unlimited)
   */
  boolean tryReserve(String appId, int maxConnections) {
    AtomicInteger count = countByApp.computeIfAbsent(appId, id -> new AtomicInteger());
    if (count.incrementAndGet() > maxConnections && maxConnections > 0) {
      count.decrementAndGet();
      return false;
    }
    return true;
  }

  /** Gives back a place taken by {@link #tryReserve}. */
  void release(String appId) {
    AtomicInteger count = countByApp.get(appId);
    if (count != null) {
      count.decrementAndGet();
    }
  }

  /**
   * A socket id no live connection has: two random non-negative integers from a secure source
   * joined by a dot, as Pusher makes them.
   */
  String newSocketId() {
    while (true) {
      SecureRandom random = RANDOM.get();
      String id = random.nextInt(Integer.MAX_VALUE) + "." + random.nextInt(Integer.MAX_VALUE);
      if (!bySocketId.containsKey(id)) {
        return id;
      }
    }
  }

  /**
   * @return false if the id was taken meanwhile; the caller picks another
   */
  boolean add(Session session) {
    return bySocketId.putIfAbsent(session.socketId(), session) == null;
  }

  void remove(Session session) {
    if (bySocketId.remove(session.socketId(), session)) {
      release(session.app().id());
    }
  }

  /** A snapshot of the count of every app this node has served (0 once its connections left). */
  public Map<String, Integer> connectionCounts() {
    Map<String, Integer> counts = new java.util.HashMap<>();
    countByApp.forEach((appId, count) -> counts.put(appId, count.get()));
    return counts;
  }

  public int connectionCount(String appId) {
    AtomicInteger count = countByApp.get(appId);
    return count == null ? 0 : count.get();
  }
}
