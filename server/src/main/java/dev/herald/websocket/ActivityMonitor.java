package dev.herald.websocket;

import dev.herald.protocol.ErrorCode;
import dev.herald.protocol.ServerFrames;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Pings connections that have been silent for the app's ping interval and closes those that do not
 * answer within the pong timeout (4201), and closes connections that must authorize (sign in or
 * join a private or presence channel) and do not in time (4009). Every connection is watched from
 * its first frame, whether or not it ever subscribes. Confined to one event loop; driven by that
 * loop's periodic timer.
 */
final class ActivityMonitor {
  private final Set<Session> sessions = new LinkedHashSet<>();

  void add(Session session) {
    sessions.add(session);
  }

  void remove(Session session) {
    sessions.remove(session);
  }

  /** Called about once a second. */
  void tick(long nowNanos) {
    for (Session session : sessions.toArray(new Session[0])) {
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
