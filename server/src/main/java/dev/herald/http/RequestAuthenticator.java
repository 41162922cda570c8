package dev.herald.http;

import dev.herald.apps.AppProvider;
import dev.herald.auth.ApiQuery;
import dev.herald.auth.RequestVerifier;
import dev.herald.config.AppConfig;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;

/**
 * First handler of every {@code /apps/{id}/…} route: finds the app (404), parses the query once and
 * verifies the request signature over it (401), checks that the app is enabled (403), then stores
 * the app and the verified query for the route handler. Thread-safe.
 */
final class RequestAuthenticator implements Handler<RoutingContext> {
  static final String APP = "herald.app";
  private static final String QUERY = "herald.query";

  private final AppProvider apps;
  private final RequestVerifier verifier;
  private final String mountPath;

  RequestAuthenticator(AppProvider apps, RequestVerifier verifier, String mountPath) {
    this.apps = apps;
    this.verifier = verifier;
    this.mountPath = mountPath;
  }

  @Override
  public void handle(RoutingContext context) {
    String appId = context.pathParam("appId");
    apps.findById(appId)
        .onFailure(context::fail)
        .onSuccess(
            found -> {
              if (found.isEmpty()) {
                context.fail(new ApiException(404, "Unknown app id " + appId));
                return;
              }
              AppConfig app = found.get();
              ApiQuery query;
              try {
                query = ApiQuery.parse(context.request().query());
                verifier.verify(
                    app,
                    context.request().method().name(),
                    signedPaths(context.request().path()),
                    query,
                    context.body().buffer() == null
                        ? new byte[0]
                        : context.body().buffer().getBytes());
              } catch (RequestVerifier.AuthenticationException e) {
                context.fail(new ApiException(401, e.getMessage()));
                return;
              }
              if (!app.enabled()) {
                context.fail(new ApiException(403, "App is disabled"));
                return;
              }
              context.put(APP, app);
              context.put(QUERY, query);
              context.next();
            });
  }

  /** The path as received, and without the mount prefix: SDKs sign whichever they were given. */
  private List<String> signedPaths(String path) {
    List<String> paths = new ArrayList<>(2);
    paths.add(path);
    if (!mountPath.isEmpty() && path.startsWith(mountPath + "/")) {
      paths.add(path.substring(mountPath.length()));
    }
    return paths;
  }

  /**
   * The query the signature was verified over: route handlers read their parameters from it, never
   * from the request again, so they act on exactly what was signed.
   */
  static ApiQuery query(RoutingContext context) {
    return context.get(QUERY);
  }
}
