package dev.herald.protocoltests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.pusher.client.ChannelAuthorizer;
import com.pusher.client.Pusher;
import com.pusher.client.PusherOptions;
import com.pusher.client.channel.ChannelEventListener;
import com.pusher.client.channel.PresenceChannelEventListener;
import com.pusher.client.channel.PrivateChannelEventListener;
import com.pusher.client.channel.PusherEvent;
import com.pusher.client.channel.User;
import com.pusher.client.connection.ConnectionEventListener;
import com.pusher.client.connection.ConnectionState;
import com.pusher.client.connection.ConnectionStateChange;
import com.pusher.rest.data.PresenceUser;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Interoperability with the official Java client (com.pusher:pusher-java-client), authorized by a
 * {@link ChannelAuthorizer} that signs with the official server SDK (pusher-http-java), as an app
 * server would.
 */
class PusherJavaClientTest {

  private static HeraldProcess herald;
  private static com.pusher.rest.Pusher rest;

  @BeforeAll
  static void startServer() {
    herald = HeraldProcess.withDefaults().start();
    rest = HttpApiTest.sdk(herald, "127.0.0.1:" + herald.port());
  }

  @AfterAll
  static void stopServer() throws Exception {
    rest.close();
    herald.close();
  }

  @Test
  void connectsAndReportsASocketId() {
    try (JavaClient client = new JavaClient(null)) {
      String socketId = client.pusher.getConnection().getSocketId();
      assertTrue(socketId != null && socketId.matches("^\\d+\\.\\d+$"), socketId);
    }
  }

  @Test
  void publicChannelReceivesAnHttpTriggeredEvent() {
    String channel = Unique.name("java-public-");
    try (JavaClient client = new JavaClient(null)) {
      Listener listener = new Listener();
      client.pusher.subscribe(channel, listener, "greeting");
      listener.awaitSubscribed();
      rest.trigger(channel, "greeting", Map.of("text", "hello"));
      PusherEvent event = listener.awaitEvent();
      assertEquals("greeting", event.getEventName());
      assertEquals(channel, event.getChannelName());
      Json.assertJson("{\"text\":\"hello\"}", Json.parse(event.getData()));
    }
  }

  @Test
  void privateChannelSubscribesAndReceivesAnHttpTriggeredEvent() {
    String channel = Unique.name("private-java-");
    try (JavaClient client = new JavaClient(null)) {
      Listener listener = new Listener();
      client.pusher.subscribePrivate(channel, listener, "secret");
      listener.awaitSubscribed();
      rest.trigger(channel, "secret", Map.of("n", 42));
      PusherEvent event = listener.awaitEvent();
      assertEquals("secret", event.getEventName());
      Json.assertJson("{\"n\":42}", Json.parse(event.getData()));
    }
  }

  @Test
  void privateChannelWithAWrongSignatureDeliversSubscriptionErrorAndStaysConnected() {
    String channel = Unique.name("private-java-");
    ChannelAuthorizer forged =
        (name, socketId) ->
            Json.write(Map.of("auth", HeraldProcess.APP_KEY + ":" + "0".repeat(64)));
    try (JavaClient client = new JavaClient(null, forged)) {
      // pusher-java-client 2.4.4 has no callback for a server-side subscription_error; it hands
      // the event to listeners bound to its name.
      Listener listener = new Listener();
      client.pusher.subscribePrivate(channel, listener, "pusher:subscription_error");
      PusherEvent error = listener.awaitEvent();
      assertEquals("pusher:subscription_error", error.getEventName());
      assertEquals(channel, error.getChannelName());
      var data = Json.parse(error.getData());
      assertEquals("AuthError", data.path("type").asText(), error::toString);
      assertEquals(401, data.path("status").asInt(), error::toString);
      assertTrue(!listener.subscribed.isDone(), "subscription must not succeed");
      assertEquals(ConnectionState.CONNECTED, client.pusher.getConnection().getState());
    }
  }

  @Test
  void presenceMembersAreListedAddedAndRemovedBetweenTwoClients() {
    String channel = Unique.name("presence-java-");
    try (JavaClient alice = new JavaClient(new PresenceUser("alice", Map.of("name", "Alice")))) {
      PresenceListener aliceEvents = new PresenceListener();
      alice.pusher.subscribePresence(channel, aliceEvents);
      assertEquals(Set.of("alice"), ids(aliceEvents.awaitUsers()));

      User bobSeenByAlice;
      try (JavaClient bob = new JavaClient(new PresenceUser("bob", Map.of("name", "Bob")))) {
        PresenceListener bobEvents = new PresenceListener();
        bob.pusher.subscribePresence(channel, bobEvents);
        Set<User> seenByBob = bobEvents.awaitUsers();
        assertEquals(Set.of("alice", "bob"), ids(seenByBob));
        User aliceSeenByBob =
            seenByBob.stream().filter(u -> u.getId().equals("alice")).findFirst().orElseThrow();
        Json.assertJson("{\"name\":\"Alice\"}", Json.parse(aliceSeenByBob.getInfo()));
        assertEquals("bob", bob.pusher.getPresenceChannel(channel).getMe().getId());

        bobSeenByAlice = poll(aliceEvents.joined, "userSubscribed");
        assertEquals("bob", bobSeenByAlice.getId());
        Json.assertJson("{\"name\":\"Bob\"}", Json.parse(bobSeenByAlice.getInfo()));
        assertEquals(
            Set.of("alice", "bob"), ids(alice.pusher.getPresenceChannel(channel).getUsers()));
      }
      User gone = poll(aliceEvents.left, "userUnsubscribed");
      assertEquals("bob", gone.getId());
      assertEquals(Set.of("alice"), ids(alice.pusher.getPresenceChannel(channel).getUsers()));
    }
  }

  @Test
  void clientEventOnAPrivateChannelReachesTheOtherClient() {
    String channel = Unique.name("private-java-chat-");
    try (JavaClient sender = new JavaClient(null);
        JavaClient receiver = new JavaClient(null)) {
      Listener senderEvents = new Listener();
      sender.pusher.subscribePrivate(channel, senderEvents, "client-typing", "after");
      senderEvents.awaitSubscribed();
      Listener receiverEvents = new Listener();
      receiver.pusher.subscribePrivate(channel, receiverEvents, "client-typing", "after");
      receiverEvents.awaitSubscribed();

      sender.pusher.getPrivateChannel(channel).trigger("client-typing", "{\"typing\":true}");
      PusherEvent event = receiverEvents.awaitEvent();
      assertEquals("client-typing", event.getEventName());
      assertEquals(channel, event.getChannelName());
      Json.assertJson("{\"typing\":true}", Json.parse(event.getData()));

      // Not echoed: the sender's next event is the HTTP one sent afterwards.
      rest.trigger(channel, "after", Map.of());
      assertEquals("after", receiverEvents.awaitEvent().getEventName());
      assertEquals("after", senderEvents.awaitEvent().getEventName());
    }
  }

  @Test
  void clientEventOnAPresenceChannelCarriesTheSendersUserId() {
    String channel = Unique.name("presence-java-chat-");
    try (JavaClient sender = new JavaClient(new PresenceUser("sender"));
        JavaClient receiver = new JavaClient(new PresenceUser("receiver"))) {
      PresenceListener senderEvents = new PresenceListener();
      sender.pusher.subscribePresence(channel, senderEvents);
      senderEvents.awaitUsers();
      PresenceListener receiverEvents = new PresenceListener();
      receiver.pusher.subscribePresence(channel, receiverEvents, "client-hello");
      receiverEvents.awaitUsers();

      sender.pusher.getPresenceChannel(channel).trigger("client-hello", "{\"hi\":1}");
      PusherEvent event = receiverEvents.awaitEvent();
      assertEquals("sender", event.getUserId());
      Json.assertJson("{\"hi\":1}", Json.parse(event.getData()));
    }
  }

  private static Set<String> ids(Set<User> users) {
    return users.stream().map(User::getId).collect(Collectors.toSet());
  }

  private static <T> T poll(BlockingQueue<T> queue, String what) {
    try {
      T value = queue.poll(RawClient.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      if (value == null) {
        fail("no " + what + " within " + RawClient.TIMEOUT);
      }
      return value;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private static <T> T await(CompletableFuture<T> future, String what) {
    try {
      return future.get(RawClient.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new AssertionError("no " + what + " within " + RawClient.TIMEOUT + ": " + e, e);
    }
  }

  /** A connected pusher-java-client, authorized as {@code user} on presence channels. */
  private static final class JavaClient implements AutoCloseable {
    final Pusher pusher;
    private final CompletableFuture<Void> disconnected = new CompletableFuture<>();

    JavaClient(PresenceUser user) {
      this(user, null);
    }

    JavaClient(PresenceUser user, ChannelAuthorizer authorizer) {
      ChannelAuthorizer signing =
          authorizer != null
              ? authorizer
              : (channel, socketId) ->
                  channel.startsWith("presence-")
                      ? rest.authenticate(socketId, channel, user)
                      : rest.authenticate(socketId, channel);
      PusherOptions options =
          new PusherOptions()
              .setHost(herald.host())
              .setWsPort(herald.port())
              .setUseTLS(false)
              .setChannelAuthorizer(signing);
      pusher = new Pusher(HeraldProcess.APP_KEY, options);
      CompletableFuture<Void> connected = new CompletableFuture<>();
      pusher.connect(
          new ConnectionEventListener() {
            @Override
            public void onConnectionStateChange(ConnectionStateChange change) {
              if (change.getCurrentState() == ConnectionState.CONNECTED) {
                connected.complete(null);
              } else if (change.getCurrentState() == ConnectionState.DISCONNECTED) {
                disconnected.complete(null);
              }
            }

            @Override
            public void onError(String message, String code, Exception e) {
              connected.completeExceptionally(
                  new AssertionError("connection error " + code + ": " + message, e));
            }
          },
          ConnectionState.ALL);
      await(connected, "connection");
    }

    @Override
    public void close() {
      pusher.disconnect();
      await(disconnected, "disconnection");
    }
  }

  /** Records subscription success or failure and events of a public or private channel. */
  private static class Listener implements ChannelEventListener, PrivateChannelEventListener {
    final CompletableFuture<String> subscribed = new CompletableFuture<>();
    final BlockingQueue<PusherEvent> events = new LinkedBlockingQueue<>();

    @Override
    public void onSubscriptionSucceeded(String channelName) {
      subscribed.complete(channelName);
    }

    @Override
    public void onAuthenticationFailure(String message, Exception e) {
      events.add(new PusherEvent("authentication-failure", null, null, message));
    }

    @Override
    public void onEvent(PusherEvent event) {
      events.add(event);
    }

    void awaitSubscribed() {
      await(subscribed, "subscription_succeeded");
    }

    PusherEvent awaitEvent() {
      return poll(events, "event");
    }
  }

  /** Records the member list and member changes of a presence channel. */
  private static final class PresenceListener extends Listener
      implements PresenceChannelEventListener {
    final CompletableFuture<Set<User>> users = new CompletableFuture<>();
    final BlockingQueue<User> joined = new LinkedBlockingQueue<>();
    final BlockingQueue<User> left = new LinkedBlockingQueue<>();

    @Override
    public void onUsersInformationReceived(String channelName, Set<User> members) {
      users.complete(Set.copyOf(members));
    }

    @Override
    public void userSubscribed(String channelName, User user) {
      joined.add(user);
    }

    @Override
    public void userUnsubscribed(String channelName, User user) {
      left.add(user);
    }

    Set<User> awaitUsers() {
      return await(users, "presence member list");
    }
  }
}
