package dev.herald.websocket;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.config.AppConfig;
import dev.herald.config.ClientEventsPolicy;
import dev.herald.metrics.HeraldMetrics;
import dev.herald.protocol.ChannelKind;
import dev.herald.protocol.ChannelName;
import dev.herald.protocol.ClientFrame;
import dev.herald.protocol.ErrorCode;
import dev.herald.protocol.FrameDecoder;
import dev.herald.protocol.ProtocolException;
import dev.herald.protocol.ServerFrames;
import dev.herald.scaling.Broadcaster;
import dev.herald.webhooks.WebhookEvent;
import dev.herald.webhooks.Webhooks;
import java.nio.charset.StandardCharsets;

/**
 * Handles every data frame a client sends: size check, decoding, then one branch per frame type.
 * Every failure becomes a {@link ProtocolException} answered in one place, so bad input costs only
 * the connection that sent it, and only when its code is fatal. Confined to one event loop.
 */
final class MessageHandler {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final FrameDecoder decoder;
  private final SubscriptionHandler subscriptions;
  private final SigninHandler signins;
  private final Broadcaster broadcaster;
  private final Webhooks webhooks;
  private final HeraldMetrics metrics;

  MessageHandler(
      FrameDecoder decoder,
      SubscriptionHandler subscriptions,
      SigninHandler signins,
      Broadcaster broadcaster,
      Webhooks webhooks,
      HeraldMetrics metrics) {
    this.metrics = metrics;
    this.decoder = decoder;
    this.subscriptions = subscriptions;
    this.signins = signins;
    this.broadcaster = broadcaster;
    this.webhooks = webhooks;
  }

  void onText(Session session, String text, long nowNanos) {
    if (!session.isOpen()) {
      return;
    }
    try {
      checkSize(session.app(), text);
      dispatch(session, decoder.decode(text), nowNanos);
    } catch (ProtocolException e) {
      metrics.rejection(session.app().id(), e.errorCode().name());
      session.fail(e.errorCode(), e.getMessage());
    }
  }

  void onBinary(Session session) {
    metrics.rejection(session.app().id(), ErrorCode.INVALID_MESSAGE.name());
    session.fail(
        ErrorCode.INVALID_MESSAGE,
        "Invalid message format: binary frames are not part of the Pusher protocol");
  }

  private static void checkSize(AppConfig app, String text) {
    int limit = app.maxMessageSize();
    // A UTF-8 encoding has at least one byte per char and at most three per UTF-16 unit.
    if (text.length() > limit
        || (text.length() * 3L > limit && text.getBytes(StandardCharsets.UTF_8).length > limit)) {
      throw new ProtocolException(
          ErrorCode.MESSAGE_TOO_LARGE, "Message too large: the limit is " + limit + " bytes");
    }
  }

  private void dispatch(Session session, ClientFrame frame, long nowNanos) {
    if (frame instanceof ClientFrame.Ping) {
      session.send(ServerFrames.PONG);
    } else if (frame instanceof ClientFrame.Pong) {
      // Its arrival already counted as activity.
    } else if (frame instanceof ClientFrame.Subscribe subscribe) {
      subscriptions.subscribe(session, subscribe);
    } else if (frame instanceof ClientFrame.Unsubscribe unsubscribe) {
      subscriptions.unsubscribe(session, unsubscribe.channel());
    } else if (frame instanceof ClientFrame.ClientEvent event) {
      clientEvent(session, event, nowNanos);
    } else if (frame instanceof ClientFrame.Signin signin) {
      signins.signin(session, signin);
    } else if (frame instanceof ClientFrame.UnknownPusherEvent unknown) {
      throw new ProtocolException(ErrorCode.GENERIC, "Unknown event " + unknown.event());
    } else if (frame instanceof ClientFrame.NotAClientEvent other) {
      throw new ProtocolException(
          ErrorCode.GENERIC,
          "Event " + other.event() + " ignored: client event names must start with client-");
    }
  }

  private void clientEvent(Session session, ClientFrame.ClientEvent event, long nowNanos) {
    AppConfig app = session.app();
    if (app.acceptClientEventsFrom() == ClientEventsPolicy.NONE) {
      throw new ProtocolException(ErrorCode.GENERIC, "Client events are not enabled for this app");
    }
    ChannelName channel;
    try {
      channel = ChannelName.parse(event.channel(), app.maxChannelNameLength());
    } catch (ChannelName.InvalidChannelNameException e) {
      throw new ProtocolException(ErrorCode.GENERIC, e.getMessage());
    }
    if (!channel.kind().acceptsClientEvents()) {
      throw new ProtocolException(
          ErrorCode.GENERIC,
          channel.kind() == ChannelKind.PRIVATE_ENCRYPTED
                  || channel.kind() == ChannelKind.PRIVATE_ENCRYPTED_CACHE
              ? "Client events are not allowed on encrypted channels"
              : "Client events are only supported on private and presence channels");
    }
    Session.Subscription subscription = session.subscriptions().get(channel.value());
    if (subscription == null && app.acceptClientEventsFrom() == ClientEventsPolicy.MEMBERS) {
      throw new ProtocolException(
          ErrorCode.GENERIC,
          "Cannot broadcast client event (connection not subscribed to channel "
              + channel.value()
              + ")");
    }
    if (!session.clientEventLimiter().tryAcquire(nowNanos)) {
      throw new ProtocolException(
          ErrorCode.CLIENT_EVENT_RATE_LIMIT, "Client event rejected due to rate limit");
    }
    if (event.event().length() > app.maxEventNameLength()) {
      throw new ProtocolException(
          ErrorCode.GENERIC,
          "Event name is longer than " + app.maxEventNameLength() + " characters");
    }
    String userId = subscription == null ? null : subscription.userId();
    broadcaster.publish(
        app.id(),
        channel.value(),
        ServerFrames.clientEvent(event.event(), channel.value(), event.rawData(), userId),
        session.socketId());
    session.meters().clientEvent();
    if (!webhooks.wants(app, WebhookEvent.CLIENT_EVENT, channel.value())) {
      return;
    }
    webhooks.emit(
        app,
        WebhookEvent.clientEvent(
            channel.value(),
            event.event(),
            dataAsString(event.rawData()),
            session.socketId(),
            userId));
  }

  /**
   * The client_event webhook carries data as a string: a JSON string's value, else the JSON text.
   */
  private static String dataAsString(String rawData) {
    if (rawData == null || !rawData.startsWith("\"")) {
      return rawData;
    }
    try {
      return MAPPER.readValue(rawData, String.class);
    } catch (JsonProcessingException e) {
      return rawData;
    }
  }
}
