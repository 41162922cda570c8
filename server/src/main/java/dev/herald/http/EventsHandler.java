package dev.herald.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.broadcast.EventPublisher;
import dev.herald.channels.ChannelDirectory;
import dev.herald.channels.ChannelInfo;
import dev.herald.config.AppConfig;
import dev.herald.protocol.ChannelName;
import dev.herald.scaling.Broadcaster;
import io.vertx.core.CompositeFuture;
import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code POST /apps/{id}/events} and {@code POST /apps/{id}/batch_events}: validates every event
 * before publishing any, publishes each channel's frame once through the {@link Broadcaster}, and
 * answers {@code {}} or the requested channel attributes. Thread-safe.
 */
final class EventsHandler {
  private static final Pattern SOCKET_ID = Pattern.compile("\\d+\\.\\d+");

  private final EventPublisher publisher;
  private final Broadcaster broadcaster;
  private final ChannelDirectory directory;
  private final BackendRateLimiter rateLimiter;

  /**
   * @param publisher the node's one publishing service, shared with the console and the demo
   * @param broadcaster asked only whether every node can be reached
   */
  EventsHandler(
      EventPublisher publisher,
      Broadcaster broadcaster,
      ChannelDirectory directory,
      BackendRateLimiter rateLimiter) {
    this.publisher = publisher;
    this.broadcaster = broadcaster;
    this.directory = directory;
    this.rateLimiter = rateLimiter;
  }

  /** One validated event. */
  private record Event(
      String name, String data, List<ChannelName> channels, String socketId, Set<String> info) {}

  void trigger(RoutingContext context) {
    AppConfig app = context.get(RequestAuthenticator.APP);
    Event event = parseEvent(app, bodyObject(context), true);
    checkRate(app, List.of(event));
    checkClusterReachable();
    acknowledged(publish(app, event))
        .compose(
            published -> {
              if (event.info().isEmpty()) {
                return Future.succeededFuture(Responses.MAPPER.createObjectNode());
              }
              return attributes(app, event)
                  .map(
                      channels -> {
                        ObjectNode body = Responses.MAPPER.createObjectNode();
                        body.set("channels", channels);
                        return body;
                      });
            })
        .onSuccess(body -> Responses.json(context, 200, body))
        .onFailure(context::fail);
  }

  void batch(RoutingContext context) {
    AppConfig app = context.get(RequestAuthenticator.APP);
    JsonNode batch = bodyObject(context).get("batch");
    if (batch == null || !batch.isArray()) {
      throw ApiException.badRequest("batch must be a list of events");
    }
    if (batch.size() > app.maxBatchSize()) {
      throw ApiException.badRequest(
          "Batch has " + batch.size() + " events; at most " + app.maxBatchSize() + " are allowed");
    }
    List<Event> events = new ArrayList<>();
    for (int i = 0; i < batch.size(); i++) {
      JsonNode item = batch.get(i);
      if (!item.isObject()) {
        throw ApiException.badRequest("batch[" + i + "] must be an object");
      }
      try {
        events.add(parseEvent(app, item, false));
      } catch (ApiException e) {
        throw new ApiException(e.status(), "batch[" + i + "]: " + e.getMessage());
      }
    }
    checkRate(app, events);
    checkClusterReachable();
    List<Future<Void>> published = new ArrayList<>();
    events.forEach(event -> published.add(publish(app, event)));
    acknowledged(Future.all(new ArrayList<>(published)).mapEmpty())
        .compose(ignored -> batchAnswer(app, events))
        .onSuccess(body -> Responses.json(context, 200, body))
        .onFailure(context::fail);
  }

  /** The body of a batch answer: {@code {}}, or the attributes asked for per item. */
  private Future<ObjectNode> batchAnswer(AppConfig app, List<Event> events) {
    if (events.stream().allMatch(event -> event.info().isEmpty())) {
      return Future.succeededFuture(Responses.MAPPER.createObjectNode());
    }
    List<Future<ObjectNode>> perItem = new ArrayList<>();
    for (Event event : events) {
      perItem.add(
          event.info().isEmpty()
              ? Future.succeededFuture(Responses.MAPPER.createObjectNode())
              : attributes(app, event)
                  .map(channels -> (ObjectNode) channels.get(event.channels().get(0).value())));
    }
    return Future.all(new ArrayList<>(perItem))
        .map(
            all -> {
              ObjectNode body = Responses.MAPPER.createObjectNode();
              var list = body.putArray("batch");
              perItem.forEach(item -> list.add(item.result()));
              return body;
            });
  }

  /**
   * A publication the other nodes did not get (Redis went away in the middle of it) is answered 503
   * like one refused up front, so the caller retries: subscribers on this node may then get the
   * event twice, but none that stays connected misses it.
   */
  private static Future<Void> acknowledged(Future<Void> published) {
    return published.recover(
        error ->
            Future.failedFuture(
                new ApiException(
                    503,
                    "The cluster bus (Redis) did not take the event ("
                        + error.getMessage()
                        + "); it may have reached this node's subscribers only; retry")));
  }

  private void checkRate(AppConfig app, List<Event> events) {
    int messages = events.stream().mapToInt(event -> event.channels().size()).sum();
    if (!rateLimiter.tryAcquire(app, messages, System.nanoTime())) {
      throw new ApiException(
          429,
          "Rate limit exceeded: at most "
              + app.maxBackendEventsPerSecond()
              + " messages (events x channels) per second");
    }
  }

  /**
   * Refuses an event this node cannot hand to the other nodes (Redis is down): a 2xx would promise
   * a delivery that subscribers on other nodes never get, while a 503 makes the caller (Laravel's
   * queue, an SDK) retry once the cluster is whole again. Nothing is sent, not even locally, so a
   * retry does not deliver twice.
   */
  private void checkClusterReachable() {
    if (!broadcaster.reachesEveryNode()) {
      throw new ApiException(
          503,
          "The cluster bus (Redis) is unreachable or the nodes are still rejoining it: the event"
              + " was not sent; retry later");
    }
  }

  private Future<Void> publish(AppConfig app, Event event) {
    List<Future<Void>> published = new ArrayList<>();
    for (ChannelName channel : event.channels()) {
      published.add(publisher.publish(app, channel, event.name(), event.data(), event.socketId()));
    }
    return Future.all(new ArrayList<>(published)).mapEmpty();
  }

  /** Per channel, the attributes asked for in {@code info} that apply to its kind. */
  private Future<ObjectNode> attributes(AppConfig app, Event event) {
    List<Future<ChannelInfo>> infos = new ArrayList<>();
    for (ChannelName channel : event.channels()) {
      infos.add(directory.channel(app.id(), channel.value()));
    }
    return Future.all(new ArrayList<>(infos))
        .map(
            (CompositeFuture all) -> {
              ObjectNode channels = Responses.MAPPER.createObjectNode();
              for (int i = 0; i < infos.size(); i++) {
                ChannelInfo info = infos.get(i).result();
                ObjectNode attributes = channels.putObject(info.name());
                boolean presence = event.channels().get(i).kind().isPresence();
                if (presence && event.info().contains("user_count")) {
                  attributes.put("user_count", info.userCount());
                }
                if (event.info().contains("subscription_count")) {
                  attributes.put("subscription_count", info.subscriptionCount());
                }
              }
              return channels;
            });
  }

  private static JsonNode bodyObject(RoutingContext context) {
    JsonNode body;
    try {
      body =
          context.body().buffer() == null || context.body().length() == 0
              ? null
              : Responses.MAPPER.readTree(context.body().buffer().getBytes());
    } catch (IOException e) {
      throw ApiException.badRequest("Request body is not valid JSON");
    }
    if (body == null || !body.isObject()) {
      throw ApiException.badRequest("Request body must be a JSON object");
    }
    return body;
  }

  private static Event parseEvent(AppConfig app, JsonNode body, boolean allowChannelList) {
    String name = text(body, "name", true);
    if (name.isEmpty() || name.length() > app.maxEventNameLength()) {
      throw ApiException.badRequest(
          "name must be 1 to " + app.maxEventNameLength() + " characters");
    }
    String data = text(body, "data", true);
    int size = data.getBytes(StandardCharsets.UTF_8).length;
    if (size > app.maxEventPayload()) {
      throw new ApiException(
          413, "data is " + size + " bytes; the limit is " + app.maxEventPayload() + " bytes");
    }
    List<ChannelName> channels = channels(app, body, allowChannelList);
    String socketId = text(body, "socket_id", false);
    if (socketId != null && !SOCKET_ID.matcher(socketId).matches()) {
      throw ApiException.badRequest("socket_id must look like 1234.5678");
    }
    String info = text(body, "info", false);
    Set<String> attributes = new LinkedHashSet<>();
    if (info != null) {
      for (String attribute : info.split(",")) {
        String trimmed = attribute.trim();
        if (trimmed.equals("user_count") || trimmed.equals("subscription_count")) {
          attributes.add(trimmed);
        } else if (!trimmed.isEmpty()) {
          throw ApiException.badRequest(
              "info may hold user_count and subscription_count, not " + trimmed);
        }
      }
    }
    return new Event(name, data, channels, socketId, attributes);
  }

  private static List<ChannelName> channels(AppConfig app, JsonNode body, boolean allowList) {
    Set<String> names = new LinkedHashSet<>();
    JsonNode list = body.get("channels");
    if (list != null && !list.isNull()) {
      if (!list.isArray()) {
        throw ApiException.badRequest("channels must be a list of channel names");
      }
      for (JsonNode name : list) {
        if (!name.isTextual()) {
          throw ApiException.badRequest("channels must hold strings");
        }
        names.add(name.textValue());
      }
      if (!allowList && names.size() > 1) {
        throw ApiException.badRequest("a batch event goes to one channel");
      }
    }
    String single = text(body, "channel", false);
    if (single != null) {
      names.add(single);
    }
    if (names.isEmpty()) {
      throw ApiException.badRequest("channels (or channel) is required");
    }
    if (names.size() > app.maxChannelsPerEvent()) {
      throw ApiException.badRequest(
          "An event may go to at most "
              + app.maxChannelsPerEvent()
              + " channels, not "
              + names.size());
    }
    List<ChannelName> parsed = new ArrayList<>(names.size());
    for (String name : names) {
      try {
        parsed.add(ChannelName.parse(name, app.maxChannelNameLength()));
      } catch (ChannelName.InvalidChannelNameException e) {
        throw ApiException.badRequest(e.getMessage());
      }
    }
    return parsed;
  }

  private static String text(JsonNode body, String field, boolean required) {
    JsonNode value = body.get(field);
    if (value == null || value.isNull()) {
      if (required) {
        throw ApiException.badRequest(field + " is required");
      }
      return null;
    }
    if (!value.isTextual()) {
      throw ApiException.badRequest(field + " must be a string");
    }
    return value.textValue();
  }
}
