package dev.herald.http;

import dev.herald.apps.AppProvider;
import dev.herald.auth.RequestVerifier;
import dev.herald.config.AppConfig;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * First handler of every {@code /apps/{id}/…} route: finds the app (404), verifies the request
 * signature (401) and that the app is enabled (403), then stores the app for the route handler.
 * Thread-safe.
 */
final class RequestAuthenticator implements Handler<RoutingContext> {
  static final String APP = "herald.app";

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
              try {
                verifier.verify(
                    app,
                    context.request().method().name(),
                    signedPaths(context.request().path()),
                    query(context),
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

  private static Map<String, List<String>> query(RoutingContext context) {
    Map<String, List<String>> query = new LinkedHashMap<>();
    context
        .queryParams()
        .forEach(
            entry ->
                query
                    .computeIfAbsent(entry.getKey(), k -> new ArrayList<>())
                    .add(entry.getValue()));
    return query;
  }
}
