package dev.herald.websocket;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.auth.ChannelAuthorizer;
import dev.herald.broadcast.MemberEvents;
import dev.herald.channels.LocalSubscriptions;
import dev.herald.channels.OnlineUsers;
import dev.herald.config.AppConfig;
import dev.herald.protocol.ChannelName;
import dev.herald.protocol.ClientFrame;
import dev.herald.protocol.ErrorCode;
import dev.herald.protocol.ProtocolException;
import dev.herald.protocol.ServerFrames;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@code pusher:signin}: verifies the user's signature, associates the connection with the user
 * (for {@code #server-to-user-{id}} and terminate_connections), and runs its watchlist. Watchers of
 * a user are subscribed, on their own event loop, to an internal {@code #watchlist-{id}} channel
 * that clients cannot name, so online/offline notices travel through the ordinary fan-out. Confined
 * to one event loop.
 */
final class SigninHandler {
  private static final Logger LOG = Logger.getLogger(SigninHandler.class.getName());
  private static final ObjectMapper MAPPER = new ObjectMapper();
  static final String WATCHLIST_CHANNEL_PREFIX = ChannelName.WATCHLIST_PREFIX;
  static final int MAX_WATCHLIST = 100;

  private final LocalSubscriptions local;
  private final OnlineUsers onlineUsers;
  private final MemberEvents members;
  private final UnaryOperator<AppConfig> current;

  /**
   * @param current the newest version of an app: a secret rotated while a client is connected
   *     checks its next sign-in
   */
  SigninHandler(
      LocalSubscriptions local,
      OnlineUsers onlineUsers,
      MemberEvents members,
      UnaryOperator<AppConfig> current) {
    this.current = current;
    this.local = local;
    this.onlineUsers = onlineUsers;
    this.members = members;
  }

  /** The signed user data: its id and watchlist. */
  private record UserData(String id, List<String> watchlist, boolean truncated) {}

  void signin(Session session, ClientFrame.Signin signin) {
    AppConfig app = session.app();
    if (!ChannelAuthorizer.isValidUserAuth(
        current.apply(app), session.socketId(), signin.userData(), signin.auth())) {
      throw new ProtocolException(ErrorCode.SIGNIN_FAILED, "Invalid signature");
    }
    UserData user = parse(signin.userData());
    if (session.signedInUserId() != null) {
      if (!session.signedInUserId().equals(user.id())) {
        throw new ProtocolException(
            ErrorCode.SIGNIN_FAILED, "This connection is already signed in as another user");
      }
      session.send(ServerFrames.signinSuccess(signin.userData()));
      return;
    }
    session.signIn(user.id(), user.watchlist());
    local.addUser(app.id(), user.id(), session);
    for (String watched : user.watchlist()) {
      local.add(app.id(), WATCHLIST_CHANNEL_PREFIX + watched, session);
    }
    // signin_success goes out once the user is recorded online, so a watcher who hears of the
    // sign-in and signs in next finds this user online in its initial state.
    onlineUsers
        .connect(app.id(), user.id(), session.socketId())
        .onComplete(
            connected -> {
              if (connected.failed()) {
                LOG.log(
                    Level.WARNING, "Recording " + user.id() + " online failed", connected.cause());
              }
              signedIn(session, signin, user, connected.succeeded() ? connected.result() : 0);
            });
  }

  private void signedIn(Session session, ClientFrame.Signin signin, UserData user, long version) {
    AppConfig app = session.app();
    session.send(ServerFrames.signinSuccess(signin.userData()));
    if (user.truncated()) {
      session.send(
          ServerFrames.error(
              ErrorCode.WATCHLIST_LIMIT,
              "Watchlist limit exceeded: only the first "
                  + MAX_WATCHLIST
                  + " user ids are watched"));
    }
    if (version > 0) {
      members.userOnline(app.id(), user.id(), version);
    }
    if (!user.watchlist().isEmpty()) {
      onlineUsers
          .online(app.id(), user.watchlist())
          .onSuccess(
              snapshot -> {
                sendInitialWatchlist(session, user.watchlist(), snapshot.online());
                session.watchlistSnapshotTaken(snapshot.version());
              });
    }
  }

  private static void sendInitialWatchlist(
      Session session, List<String> watchlist, Set<String> online) {
    List<String> onlineIds = new ArrayList<>();
    List<String> offlineIds = new ArrayList<>();
    for (String id : watchlist) {
      (online.contains(id) ? onlineIds : offlineIds).add(id);
    }
    session.send(ServerFrames.watchlistEvents(onlineIds, offlineIds));
  }

  /** Undoes a sign-in when the connection has closed. */
  void signedOut(Session session) {
    String userId = session.signedInUserId();
    if (userId == null) {
      return;
    }
    String appId = session.app().id();
    local.removeUser(appId, userId, session);
    for (String watched : session.watchlist()) {
      local.remove(appId, WATCHLIST_CHANNEL_PREFIX + watched, session);
    }
    onlineUsers
        .disconnect(appId, userId, session.socketId())
        .onSuccess(
            version -> {
              if (version > 0) {
                members.userOffline(appId, userId, version);
              }
            });
  }

  private static UserData parse(String userData) {
    JsonNode data;
    try {
      data = MAPPER.readTree(userData);
    } catch (JsonProcessingException e) {
      throw new ProtocolException(ErrorCode.SIGNIN_FAILED, "user_data must be a JSON object");
    }
    JsonNode id = data == null ? null : data.get("id");
    if (id == null || !id.isTextual() || id.textValue().isEmpty()) {
      throw new ProtocolException(ErrorCode.SIGNIN_FAILED, "user_data must contain an id string");
    }
    List<String> watchlist = new ArrayList<>();
    boolean truncated = false;
    JsonNode list = data.get("watchlist");
    if (list != null && !list.isNull()) {
      if (!list.isArray()) {
        throw new ProtocolException(
            ErrorCode.SIGNIN_FAILED, "user_data.watchlist must be a list of user ids");
      }
      for (JsonNode watched : list) {
        if (!watched.isTextual() && !watched.isIntegralNumber()) {
          throw new ProtocolException(
              ErrorCode.SIGNIN_FAILED, "user_data.watchlist must hold user id strings");
        }
        if (watchlist.size() == MAX_WATCHLIST) {
          truncated = true;
          break;
        }
        if (!watchlist.contains(watched.asText())) {
          watchlist.add(watched.asText());
        }
      }
    }
    return new UserData(id.textValue(), watchlist, truncated);
  }
}
