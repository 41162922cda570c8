package dev.herald.websocket;

import dev.herald.protocol.ErrorCode;
import dev.herald.protocol.ServerFrames;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * Pings connections that have been silent for the app's ping interval and closes those that do not
 * answer within the pong timeout (4201), and closes connections that must authorize (sign in or
 * join a private or presence channel) and do not in time (4009). Every connection is watched from
 * its first frame, whether or not it ever subscribes. Confined to one event loop; driven by that
 * loop's periodic timer.
 */
final class ActivityMonitor {
  /**
   * The loop's open sessions, each knowing its slot ({@link Session#monitorSlot}): adding and
   * removing cost O(1) and a connection costs one array slot, not a hash set's entry.
   */
  private Session[] sessions = new Session[16];

  private int size;

  void add(Session session) {
    if (size == sessions.length) {
      sessions = Arrays.copyOf(sessions, size * 2);
    }
    session.monitorSlot(size);
    sessions[size++] = session;
  }

  void remove(Session session) {
    int slot = session.monitorSlot();
    if (slot < 0 || slot >= size || sessions[slot] != session) {
      return;
    }
    Session last = sessions[--size];
    sessions[slot] = last;
    last.monitorSlot(slot);
    sessions[size] = null;
    session.monitorSlot(-1);
    if (sessions.length > 64 && size < sessions.length / 4) {
      sessions = Arrays.copyOf(sessions, sessions.length / 2);
    }
  }

  /** Called about once a second. */
  void tick(long nowNanos) {
    for (Session session : Arrays.copyOf(sessions, size)) {
      if (!session.isOpen()) {
        continue;
      }
      int authTimeout = session.app().userAuthenticationTimeout();
      if (authTimeout > 0
          && !session.isAuthorized()
          && nowNanos - session.openedNanos() >= TimeUnit.SECONDS.toNanos(authTimeout)) {
        session.fail(ErrorCode.CONNECTION_UNAUTHORIZED, "Connection not authorized within timeout");
        continue;
      }
      long pingIntervalNanos = TimeUnit.SECONDS.toNanos(session.app().pingInterval());
      long pongTimeoutNanos = TimeUnit.SECONDS.toNanos(session.app().pongTimeout());
      if (session.pingSentNanos() == 0) {
        if (nowNanos - session.lastActivityNanos() >= pingIntervalNanos) {
          session.send(ServerFrames.PING);
          session.markPingSent(nowNanos);
        }
      } else if (nowNanos - session.pingSentNanos() >= pongTimeoutNanos) {
        session.fail(ErrorCode.PONG_NOT_RECEIVED, "Pong reply not received in time");
      }
    }
  }
}
