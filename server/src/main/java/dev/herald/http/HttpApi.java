package dev.herald.http;

import dev.herald.apps.AppProvider;
import dev.herald.auth.RequestVerifier;
import dev.herald.broadcast.EventPublisher;
import dev.herald.channels.NodeChannels;
import dev.herald.metrics.HeraldMetrics;
import dev.herald.scaling.Broadcaster;
import dev.herald.scaling.ConnectionCounts;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Clock;
import java.util.Map;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The HTTP side of the server: the Pusher HTTP API under {@code {path}/apps/{id}} (plus Reverb's
 * {@code connections}) and the health check at {@code /up}. Every failure is turned into a status
 * and a JSON body in one place. Built once per node by the composition root, which also mounts the
 * console's and the demo's routes on each router; each event loop asks for its own {@link #router}.
 * Thread-safe: the route handlers are shared by every loop.
 */
public final class HttpApi {
  private static final Logger LOG = Logger.getLogger(HttpApi.class.getName());

  /**
   * @param mountPath the server's path prefix ("" or "/something")
   * @param maxRequestSize the largest request body the API reads
   * @param serveMetrics whether {@code /metrics} is served here (not on a port of its own)
   */
  public record Settings(String mountPath, int maxRequestSize, boolean serveMetrics) {}

  /** The node-wide services behind the API's routes. */
  public record Services(
      AppProvider apps,
      RequestVerifier verifier,
      NodeChannels channels,
      Broadcaster broadcaster,
      EventPublisher publisher,
      ConnectionCounts connectionCounts,
      BackendRateLimiter backendRate,
      Clock clock) {}

  private final Settings settings;
  private final HeraldMetrics metrics;
  private final Supplier<String> notReadyReason;
  private final RequestAuthenticator authenticator;
  private final EventsHandler events;
  private final ChannelsHandler channels;
  private final UsersHandler users;
  private final ConnectionsHandler connections;

  /**
   * @param notReadyReason why the node should get no traffic now (null when ready), for /ready
   */
  public HttpApi(
      Settings settings,
      Services services,
      HeraldMetrics metrics,
      Supplier<String> notReadyReason) {
    this.settings = settings;
    this.metrics = metrics;
    this.notReadyReason = notReadyReason;
    this.authenticator =
        new RequestAuthenticator(services.apps(), services.verifier(), settings.mountPath());
    this.events =
        new EventsHandler(
            services.publisher(),
            services.broadcaster(),
            services.channels().directory(),
            services.backendRate());
    this.channels =
        new ChannelsHandler(
            services.channels().directory(), services.channels().cache(), services.clock());
    this.users = new UsersHandler(services.broadcaster());
    this.connections = new ConnectionsHandler(services.connectionCounts());
  }

  /** A router for one event loop's HTTP server. */
  public Router router(Vertx vertx) {
    String mountPath = settings.mountPath();
    Router router = Router.router(vertx);
    router
        .route()
        .handler(
            context -> {
              context.addEndHandler(ended -> countCall(context, mountPath, metrics));
              context.next();
            });
    if (settings.serveMetrics()) {
      router.get("/metrics").handler(context -> metrics(context, metrics));
    }
    router.get("/up").handler(HttpApi::up);
    router.get("/ready").handler(context -> ready(context, notReadyReason.get()));
    if (!mountPath.isEmpty()) {
      router.get(mountPath + "/up").handler(HttpApi::up);
      router.get(mountPath + "/ready").handler(context -> ready(context, notReadyReason.get()));
    }

    String appPath = mountPath + "/apps/:appId";
    router
        .route(appPath + "/*")
        .handler(BodyHandler.create(false).setBodyLimit(settings.maxRequestSize()))
        .handler(authenticator);
    router.post(appPath + "/events").handler(events::trigger);
    router.post(appPath + "/batch_events").handler(events::batch);
    router.get(appPath + "/channels").handler(channels::list);
    router.get(appPath + "/channels/:channelName").handler(channels::one);
    router.get(appPath + "/channels/:channelName/users").handler(channels::users);
    router.get(appPath + "/connections").handler(connections::count);
    router
        .post(appPath + "/users/:userId/terminate_connections")
        .handler(users::terminateConnections);

    router.route().last().handler(context -> Responses.error(context, 404, "Not found"));
    router.route().failureHandler(HttpApi::failure);
    return router;
  }

  /** A metrics router for a separate port: /metrics, /up and /ready only. */
  public static Router metricsRouter(
      Vertx vertx, HeraldMetrics metrics, Supplier<String> notReadyReason) {
    Router router = Router.router(vertx);
    router.get("/metrics").handler(context -> metrics(context, metrics));
    router.get("/up").handler(HttpApi::up);
    router.get("/ready").handler(context -> ready(context, notReadyReason.get()));
    router.route().last().handler(context -> Responses.error(context, 404, "Not found"));
    return router;
  }

  private static void metrics(RoutingContext context, HeraldMetrics metrics) {
    context
        .response()
        .putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
        .end(metrics.scrape());
  }

  /** Counts an answered request; an app's, after its signature was checked, by its body bytes. */
  private static void countCall(RoutingContext context, String mountPath, HeraldMetrics metrics) {
    dev.herald.config.AppConfig app = context.get(RequestAuthenticator.APP);
    io.vertx.core.buffer.Buffer body = context.body() == null ? null : context.body().buffer();
    metrics.httpCall(
        app == null ? null : app.id(),
        routeName(context.request().path(), mountPath),
        context.response().getStatusCode(),
        body == null ? 0 : body.length(),
        context.response().bytesWritten());
  }

  private static final java.util.regex.Pattern API_ROUTE =
      java.util.regex.Pattern.compile(
          "/apps/[^/]+/(events|batch_events|connections|channels|channels/[^/]+|channels/[^/]+/users|users/[^/]+/terminate_connections)");

  /** A bounded label for a request path: the route template, never a channel name. */
  static String routeName(String path, String mountPath) {
    String local =
        !mountPath.isEmpty() && path.startsWith(mountPath)
            ? path.substring(mountPath.length())
            : path;
    if (local.equals("/up") || local.equals("/ready") || local.equals("/metrics")) {
      return local;
    }
    java.util.regex.Matcher matcher = API_ROUTE.matcher(local);
    if (!matcher.matches()) {
      return "other";
    }
    String tail = matcher.group(1);
    if (tail.startsWith("users/")) {
      return "terminate_connections";
    }
    if (tail.startsWith("channels/")) {
      return tail.endsWith("/users") ? "channel_users" : "channel";
    }
    return tail;
  }

  private static void up(RoutingContext context) {
    Responses.json(context, 200, Map.of("status", "ok"));
  }

  /** 200 while the node should get traffic; 503 with the reason when not. */
  private static void ready(RoutingContext context, String notReadyReason) {
    if (notReadyReason == null) {
      Responses.json(context, 200, Map.of("status", "ready"));
    } else {
      Responses.json(context, 503, Map.of("status", "not ready", "reason", notReadyReason));
    }
  }

  private static void failure(RoutingContext context) {
    Throwable error = context.failure();
    if (context.response().ended()) {
      return;
    }
    if (error instanceof ApiException api) {
      Responses.error(context, api.status(), api.getMessage());
    } else if (error == null && context.statusCode() > 0) {
      Responses.error(context, context.statusCode(), reason(context.statusCode()));
    } else {
      LOG.log(Level.SEVERE, "HTTP API request failed: " + context.request().path(), error);
      Responses.error(context, 500, "Internal server error");
    }
  }

  private static String reason(int status) {
    return switch (status) {
      case 400 -> "Bad request";
      case 404 -> "Not found";
      case 405 -> "Method not allowed";
      case 413 -> "Request body too large";
      case 429 -> "Too many requests";
      default -> "HTTP " + status;
    };
  }
}
