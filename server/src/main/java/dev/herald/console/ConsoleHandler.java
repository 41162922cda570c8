package dev.herald.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.auth.Signatures;
import dev.herald.broadcast.EventPublisher;
import dev.herald.channels.ChannelDirectory;
import dev.herald.channels.ChannelInfo;
import dev.herald.config.AppConfig;
import dev.herald.protocol.ChannelName;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.function.ToIntFunction;

/**
 * The debug console, served only when a console token is configured: a page at {@code /console},
 * the state of every app (connections, occupied channels, presence members), the live log as
 * server-sent events, and a form that publishes an event. Every API call needs the token in an
 * {@code Authorization: Bearer} header, never in a URL (URLs end up in proxy and browser logs). The
 * event stream, which a browser's EventSource opens without headers, takes a ticket instead: a
 * random value the page gets with a POST carrying the token, good for one use within 30 s. The page
 * is served with a strict Content-Security-Policy (only its own inline script and style, by hash;
 * requests only to this origin). Thread-safe.
 */
public final class ConsoleHandler {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final String token;
  private final Supplier<Collection<AppConfig>> apps;
  private final ChannelDirectory directory;
  private final ToIntFunction<String> connectionCount;
  private final EventPublisher publisher;
  private final ConsoleFeed feed;
  private final Buffer page;
  private final String contentSecurityPolicy;
  private final Map<String, Long> tickets = new ConcurrentHashMap<>();
  private final SecureRandom random = new SecureRandom();

  /** How long a stream ticket stays good, and how many may be outstanding at once. */
  static final long TICKET_NANOS = TimeUnit.SECONDS.toNanos(30);

  static final int MAX_TICKETS = 64;

  public ConsoleHandler(
      String token,
      Supplier<Collection<AppConfig>> apps,
      ChannelDirectory directory,
      ToIntFunction<String> connectionCount,
      EventPublisher publisher,
      ConsoleFeed feed) {
    this.token = token;
    this.apps = apps;
    this.directory = directory;
    this.connectionCount = connectionCount;
    this.publisher = publisher;
    this.feed = feed;
    this.page = loadPage();
    this.contentSecurityPolicy = contentSecurityPolicy(page.toString(StandardCharsets.UTF_8));
  }

  /**
   * Nothing but the page's own inline script and style (allowed by their SHA-256), requests to this
   * origin only, no framing, no plugins, no form posts elsewhere.
   */
  static String contentSecurityPolicy(String html) {
    return "default-src 'none'; script-src "
        + hashOf(html, "<script>", "</script>")
        + "; style-src "
        + hashOf(html, "<style>", "</style>")
        + "; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none';"
        + " frame-ancestors 'none'";
  }

  private static String hashOf(String html, String open, String close) {
    int start = html.indexOf(open);
    int end = html.indexOf(close, start);
    if (start < 0 || end < 0) {
      throw new IllegalStateException("the console page has no " + open);
    }
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256")
              .digest(html.substring(start + open.length(), end).getBytes(StandardCharsets.UTF_8));
      return "'sha256-" + Base64.getEncoder().encodeToString(digest) + "'";
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Buffer loadPage() {
    try (InputStream in = ConsoleHandler.class.getResourceAsStream("/console/index.html")) {
      return Buffer.buffer(in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public void mount(Vertx vertx, Router router, String mountPath) {
    String base = mountPath + "/console";
    router
        .get(base)
        .handler(
            context ->
                context
                    .response()
                    .putHeader("Content-Type", "text/html; charset=utf-8")
                    .putHeader("Cache-Control", "no-store")
                    .putHeader("Content-Security-Policy", contentSecurityPolicy)
                    .putHeader("X-Content-Type-Options", "nosniff")
                    .putHeader("X-Frame-Options", "DENY")
                    .putHeader("Referrer-Policy", "no-referrer")
                    .end(page));
    router.get(base + "/api/state").handler(this::state);
    router.post(base + "/api/events/ticket").handler(this::ticket);
    router.get(base + "/api/events").handler(this::events);
    router
        .post(base + "/api/trigger")
        .handler(BodyHandler.create(false).setBodyLimit(64 * 1024))
        .handler(this::trigger);
  }

  private boolean authorized(RoutingContext context) {
    String given = context.request().getHeader("Authorization");
    given =
        given != null && given.startsWith("Bearer ") ? given.substring("Bearer ".length()) : null;
    if (given == null || !Signatures.constantTimeEquals(token, given)) {
      json(
          context,
          401,
          MAPPER.createObjectNode().put("error", "console token required").put("code", 401));
      return false;
    }
    return true;
  }

  private void state(RoutingContext context) {
    if (!authorized(context)) {
      return;
    }
    List<AppConfig> list = new ArrayList<>(apps.get());
    List<Future<ObjectNode>> perApp = new ArrayList<>();
    for (AppConfig app : list) {
      perApp.add(appState(app));
    }
    Future.all(new ArrayList<>(perApp))
        .onFailure(context::fail)
        .onSuccess(
            all -> {
              ObjectNode body = MAPPER.createObjectNode();
              ArrayNode array = body.putArray("apps");
              perApp.forEach(app -> array.add(app.result()));
              json(context, 200, body);
            });
  }

  private Future<ObjectNode> appState(AppConfig app) {
    return directory
        .channels(app.id(), "")
        .compose(
            channels -> {
              List<Future<ObjectNode>> perChannel = new ArrayList<>();
              for (ChannelInfo channel : channels) {
                perChannel.add(channelState(app, channel));
              }
              return Future.all(new ArrayList<>(perChannel))
                  .map(
                      all -> {
                        ObjectNode node = MAPPER.createObjectNode();
                        node.put("id", app.id());
                        node.put("key", app.key());
                        node.put("connections", connectionCount.applyAsInt(app.id()));
                        ArrayNode array = node.putArray("channels");
                        perChannel.forEach(channel -> array.add(channel.result()));
                        return node;
                      });
            });
  }

  private Future<ObjectNode> channelState(AppConfig app, ChannelInfo channel) {
    ObjectNode node = MAPPER.createObjectNode();
    node.put("name", channel.name());
    node.put("subscription_count", channel.subscriptionCount());
    if (!ChannelName.parse(channel.name(), Integer.MAX_VALUE).kind().isPresence()) {
      return Future.succeededFuture(node);
    }
    node.put("user_count", channel.userCount());
    return directory
        .members(app.id(), channel.name())
        .map(
            members -> {
              ArrayNode array = node.putArray("members");
              members.forEach(
                  member -> {
                    ObjectNode m = array.addObject().put("id", member.userId());
                    if (member.userInfoJson() != null) {
                      try {
                        m.set("info", MAPPER.readTree(member.userInfoJson()));
                      } catch (IOException e) {
                        m.put("info", member.userInfoJson());
                      }
                    }
                  });
              return node;
            });
  }

  /** Issues a single-use ticket for the event stream, good for {@link #TICKET_NANOS}. */
  private void ticket(RoutingContext context) {
    if (!authorized(context)) {
      return;
    }
    long now = System.nanoTime();
    tickets.values().removeIf(expires -> expires - now <= 0);
    if (tickets.size() >= MAX_TICKETS) {
      json(
          context,
          429,
          MAPPER.createObjectNode().put("error", "too many open stream tickets").put("code", 429));
      return;
    }
    byte[] bytes = new byte[24];
    random.nextBytes(bytes);
    String ticket = HexFormat.of().formatHex(bytes);
    tickets.put(ticket, now + TICKET_NANOS);
    json(
        context,
        200,
        MAPPER
            .createObjectNode()
            .put("ticket", ticket)
            .put("expires_in", TimeUnit.NANOSECONDS.toSeconds(TICKET_NANOS)));
  }

  private void events(RoutingContext context) {
    String ticket = context.queryParams().get("ticket");
    Long expires = ticket == null ? null : tickets.remove(ticket);
    if (expires == null || expires - System.nanoTime() <= 0) {
      json(
          context,
          401,
          MAPPER
              .createObjectNode()
              .put("error", "a stream ticket is required (POST api/events/ticket with the token)")
              .put("code", 401));
      return;
    }
    context
        .response()
        .setChunked(true)
        .putHeader("Content-Type", "text/event-stream")
        .putHeader("Cache-Control", "no-store")
        .putHeader("X-Accel-Buffering", "no")
        .write(": herald console\n\n");
    feed.listen(context.response(), Vertx.currentContext());
  }

  private void trigger(RoutingContext context) {
    if (!authorized(context)) {
      return;
    }
    JsonNode body;
    try {
      body =
          MAPPER.readTree(
              context.body().buffer() == null ? new byte[0] : context.body().buffer().getBytes());
    } catch (IOException e) {
      body = null;
    }
    if (body == null || !body.isObject()) {
      error(context, "body must be a JSON object with app_id, channel, event and data");
      return;
    }
    String appId = body.path("app_id").asText("");
    AppConfig app = apps.get().stream().filter(a -> a.id().equals(appId)).findFirst().orElse(null);
    if (app == null) {
      error(context, "unknown app_id " + appId);
      return;
    }
    String event = body.path("event").asText("");
    if (event.isEmpty() || event.length() > app.maxEventNameLength()) {
      error(context, "event must be 1 to " + app.maxEventNameLength() + " characters");
      return;
    }
    ChannelName channel;
    try {
      channel = ChannelName.parse(body.path("channel").asText(""), app.maxChannelNameLength());
    } catch (ChannelName.InvalidChannelNameException e) {
      error(context, e.getMessage());
      return;
    }
    JsonNode dataNode = body.get("data");
    String data =
        dataNode == null || dataNode.isNull()
            ? "{}"
            : dataNode.isTextual() ? dataNode.textValue() : dataNode.toString();
    publisher.publish(app, channel, event, data, null);
    json(context, 200, MAPPER.createObjectNode());
  }

  private static void error(RoutingContext context, String message) {
    json(context, 400, MAPPER.createObjectNode().put("error", message).put("code", 400));
  }

  private static void json(RoutingContext context, int status, ObjectNode body) {
    context
        .response()
        .setStatusCode(status)
        .putHeader("Content-Type", "application/json")
        .end(body.toString());
  }
}
