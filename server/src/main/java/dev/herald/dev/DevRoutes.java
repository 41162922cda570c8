package dev.herald.dev;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.broadcast.EventPublisher;
import dev.herald.config.AppConfig;
import dev.herald.http.ApiException;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

/**
 * What {@code --dev} adds under {@code {path}/demo}: the demo page from {@code examples/}, its
 * config, a fake-login auth endpoint and an event trigger, all for the development app only.
 * Mounted by the HTTP router only when {@code --dev} is given; without it these paths are 404. The
 * two POST endpoints refuse requests from other sites' pages and bound their bodies. Thread-safe.
 */
public final class DevRoutes {
  /** Far more than the largest auth form (ids, a name and a channel name). */
  private static final int AUTH_BODY_LIMIT = 4 * 1024;

  private final AppConfig app;
  private final String mountPath;
  private final DemoAssets assets;
  private final DevAuthHandler auth;
  private final DevTriggerHandler trigger;

  /**
   * @param app the development app, the only one the demo signs for and publishes to
   * @param mountPath the server's path prefix ("" or "/something")
   */
  public DevRoutes(AppConfig app, String mountPath, EventPublisher publisher) {
    this.app = app;
    this.mountPath = mountPath;
    this.assets = DemoAssets.load();
    this.auth = new DevAuthHandler(app);
    this.trigger = new DevTriggerHandler(app, publisher);
  }

  /** The page's path below the server's root, for the start banner: {@code {path}/demo/}. */
  public String pagePath() {
    return mountPath + "/demo/";
  }

  public void mount(Router router) {
    String base = mountPath + "/demo";
    // Vert.x matches this route for both /demo and /demo/; the page's relative URLs need the slash.
    router
        .get(base)
        .handler(
            context -> {
              if (context.request().path().endsWith("/")) {
                asset(context, "index.html");
              } else {
                redirect(context, base + "/");
              }
            });
    router.get(base + "/config.json").handler(this::config);
    router
        .post(base + "/broadcasting/auth")
        .handler(BodyHandler.create(false).setBodyLimit(AUTH_BODY_LIMIT))
        .handler(DevRoutes::refuseOtherSites)
        .handler(auth::authorize);
    router
        .post(base + "/api/trigger")
        // The event's data may be as large as the app allows, plus room for the other fields.
        .handler(BodyHandler.create(false).setBodyLimit(app.maxEventPayload() + AUTH_BODY_LIMIT))
        .handler(DevRoutes::refuseOtherSites)
        .handler(trigger::trigger);
    router
        .get(base + "/*")
        .handler(context -> asset(context, context.request().path().substring(base.length() + 1)));
  }

  private static void refuseOtherSites(RoutingContext context) {
    if (!SameOrigin.check(context.request())) {
      throw new ApiException(
          403, "Cross-origin request refused: the demo's endpoints serve its own page");
    }
    context.next();
  }

  private void asset(RoutingContext context, String name) {
    DemoAssets.Asset asset = assets.get(name);
    if (asset == null) {
      context.next();
      return;
    }
    var response =
        context
            .response()
            .putHeader("Content-Type", asset.contentType())
            .putHeader("Cache-Control", "no-cache")
            .putHeader("X-Content-Type-Options", "nosniff");
    if (asset.contentType().startsWith("text/html")) {
      // Only this server's scripts and sockets: names other users typed are shown as text, and
      // even a mistake there could not load or send anything elsewhere.
      response
          .putHeader(
              "Content-Security-Policy",
              "default-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none';"
                  + " form-action 'self'; frame-ancestors 'none'")
          .putHeader("Referrer-Policy", "no-referrer");
    }
    response.end(asset.bytes());
  }

  private void config(RoutingContext context) {
    ObjectNode body = JsonNodeFactory.instance.objectNode();
    body.put("key", app.key());
    body.put("ws_path", mountPath);
    context.response().putHeader("Cache-Control", "no-store");
    json(context, 200, body);
  }

  private static void redirect(RoutingContext context, String location) {
    context.response().setStatusCode(301).putHeader("Location", location).end();
  }

  static void json(RoutingContext context, int status, ObjectNode body) {
    context
        .response()
        .setStatusCode(status)
        .putHeader("Content-Type", "application/json")
        .end(body.toString());
  }

  /** The request's media type, lower case, without parameters; "" when there is none. */
  static String mediaType(RoutingContext context) {
    String type = context.request().getHeader("Content-Type");
    if (type == null) {
      return "";
    }
    int semicolon = type.indexOf(';');
    return (semicolon < 0 ? type : type.substring(0, semicolon))
        .strip()
        .toLowerCase(java.util.Locale.ROOT);
  }
}
