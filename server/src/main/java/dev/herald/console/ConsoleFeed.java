package dev.herald.console;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.broadcast.NodeObserver;
import dev.herald.config.AppConfig;
import dev.herald.webhooks.WebhookEvent;
import io.vertx.core.Context;
import io.vertx.core.http.HttpServerResponse;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The debug console's live log: what happens on this node (connections, subscriptions, member and
 * channel changes, client events, HTTP API events) as JSON lines, kept in a small ring for a page
 * that just opened and streamed to open pages as server-sent events. Costs one volatile read per
 * event while no page is open. Created only when the console is on; it observes beside the webhook
 * dispatcher rather than standing in front of it. Thread-safe.
 */
public final class ConsoleFeed implements NodeObserver {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final int RING_SIZE = 200;

  /** An open page: its response stream and the event loop it belongs to. */
  private record Listener(HttpServerResponse response, Context context) {}

  private final Clock clock;
  private final List<Listener> listeners = new CopyOnWriteArrayList<>();
  private final Deque<String> ring = new ArrayDeque<>();

  public ConsoleFeed(Clock clock) {
    this.clock = clock;
  }

  @Override
  public void webhook(AppConfig app, WebhookEvent event) {
    ObjectNode line = line(app.id(), event.name(), event.channel());
    event.fields().forEach((key, value) -> line.set(key, MAPPER.valueToTree(value)));
    publish(line);
  }

  @Override
  public void connection(String appId, String socketId, boolean opened) {
    ObjectNode line = line(appId, opened ? "connection_opened" : "connection_closed", null);
    line.put("socket_id", socketId);
    publish(line);
  }

  @Override
  public void apiEvent(String appId, String channel, String event, String data, String socketId) {
    ObjectNode line = line(appId, "api_event", channel);
    line.put("event", event);
    line.put("data", data);
    if (socketId != null) {
      line.put("socket_id", socketId);
    }
    publish(line);
  }

  /** A page opened the stream: it gets the recent lines, then every new one. */
  public void listen(HttpServerResponse response, Context context) {
    List<String> recent;
    synchronized (ring) {
      recent = new ArrayList<>(ring);
    }
    recent.forEach(line -> write(response, line));
    Listener listener = new Listener(response, context);
    listeners.add(listener);
    response.closeHandler(closed -> listeners.remove(listener));
  }

  private ObjectNode line(String appId, String type, String channel) {
    ObjectNode line = MAPPER.createObjectNode();
    line.put("time_ms", clock.millis());
    line.put("app_id", appId);
    line.put("type", type);
    if (channel != null) {
      line.put("channel", channel);
    }
    return line;
  }

  private void publish(ObjectNode node) {
    String line = node.toString();
    synchronized (ring) {
      ring.addLast(line);
      if (ring.size() > RING_SIZE) {
        ring.removeFirst();
      }
    }
    for (Listener listener : listeners) {
      listener.context().runOnContext(ignored -> write(listener.response(), line));
    }
  }

  /** A page that does not keep up loses lines rather than growing the server's memory. */
  private static void write(HttpServerResponse response, String line) {
    if (!response.closed() && !response.writeQueueFull()) {
      response.write("data: " + line + "\n\n");
    }
  }

  /** For tests and the state endpoint: how many pages are listening. */
  public int listeners() {
    return listeners.size();
  }
}
