package dev.herald.http;

import dev.herald.config.AppConfig;
import dev.herald.protocol.ErrorCode;
import dev.herald.scaling.Broadcaster;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * {@code POST /apps/{id}/users/{user_id}/terminate_connections}: closes, with 4009, every
 * connection signed in as the user, on every event loop. Thread-safe.
 */
final class UsersHandler {
  private static final Pattern USER_ID = Pattern.compile("[A-Za-z0-9_\\-=@,.;]{1,200}");

  private final Broadcaster broadcaster;

  UsersHandler(Broadcaster broadcaster) {
    this.broadcaster = broadcaster;
  }

  void terminateConnections(RoutingContext context) {
    AppConfig app = context.get(RequestAuthenticator.APP);
    String userId = context.pathParam("userId");
    if (userId == null || !USER_ID.matcher(userId).matches()) {
      throw ApiException.badRequest(
          "user_id may only contain A-Z, a-z, 0-9, _, -, =, @, ',', . and ;");
    }
    broadcaster.closeUser(
        app.id(), userId, ErrorCode.CONNECTION_UNAUTHORIZED, "Connection terminated by the server");
    Responses.json(context, 200, Map.of());
  }
}
