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
import java.util.ArrayList;
import java.util.List;

/**
 * {@code POST /apps/{id}/events} and {@code POST /apps/{id}/batch_events}: validates every event
 * before publishing any, publishes each channel's frame once through the {@link Broadcaster}, and
 * answers {@code {}} or the requested channel attributes. Thread-safe.
 */
final class EventsHandler {

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

  void trigger(RoutingContext context) {
    AppConfig app = context.get(RequestAuthenticator.APP);
    EventRequest event = EventRequest.parse(app, bodyObject(context), true);
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
    List<EventRequest> events = EventRequest.parseBatch(app, bodyObject(context));
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
  private Future<ObjectNode> batchAnswer(AppConfig app, List<EventRequest> events) {
    if (events.stream().allMatch(event -> event.info().isEmpty())) {
      return Future.succeededFuture(Responses.MAPPER.createObjectNode());
    }
    List<Future<ObjectNode>> perItem = new ArrayList<>();
    for (EventRequest event : events) {
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

  private void checkRate(AppConfig app, List<EventRequest> events) {
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

  private Future<Void> publish(AppConfig app, EventRequest event) {
    List<Future<Void>> published = new ArrayList<>();
    for (ChannelName channel : event.channels()) {
      published.add(publisher.publish(app, channel, event.name(), event.data(), event.socketId()));
    }
    return Future.all(new ArrayList<>(published)).mapEmpty();
  }

  /** Per channel, the attributes asked for in {@code info} that apply to its kind. */
  private Future<ObjectNode> attributes(AppConfig app, EventRequest event) {
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
    return EventRequest.bodyObject(
        context.body().buffer() == null ? null : context.body().buffer().getBytes());
  }
}
