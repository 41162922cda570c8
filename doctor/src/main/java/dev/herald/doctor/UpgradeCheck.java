package dev.herald.doctor;

import java.io.IOException;
import java.util.Optional;

/**
 * Step 4: the WebSocket upgrade at {@code {prefix}/app/{key}} is answered with {@code 101} and
 * {@code pusher:connection_established}. What comes back otherwise tells where the path breaks: a
 * proxy dropping the {@code Upgrade}/{@code Connection} headers (the server answers the request as
 * a plain GET while its HTTP API works on the same address), a page or redirect from a web server,
 * a prefix, or a Pusher error code.
 */
final class UpgradeCheck {
  static final String STEP = "websocket";

  private UpgradeCheck() {}

  /** {@code works}: later steps may open WebSockets at {@code next}. */
  record Result(StepResult result, Target next, boolean works) {}

  static Result check(
      Connector connector, Target target, BroadcastSettings s, SignedApi api, String hostPath) {
    String where = target.wsUrl("/app/" + s.key());
    PusherSocket.Opening opening;
    try {
      opening = PusherSocket.open(connector, target, s.key(), null);
    } catch (IOException e) {
      return failure(
          target, "the upgrade request to " + where + " failed", connector.explain(e), null);
    }
    switch (opening.outcome()) {
      case ESTABLISHED:
        return new Result(
            StepResult.pass(
                STEP,
                "101 Switching Protocols at "
                    + where
                    + ", then pusher:connection_established (socket id "
                    + opening.detail()
                    + ")"),
            target,
            true);
      case REFUSED:
        return refused(connector, target, s, opening, where, hostPath);
      case NOT_UPGRADED:
        return notUpgraded(connector, target, s, api, opening.answer(), where, hostPath);
      case BAD_UPGRADE:
        return failure(
            target,
            "answered 101 at " + where + ", but " + opening.detail(),
            "something between this machine and the server rewrote the handshake",
            "let the proxy pass the upgrade through unchanged (nginx: proxy_pass with proxy_http_version 1.1 and the Upgrade/Connection headers)");
      default:
        return failure(
            target,
            "upgraded at " + where + ", but no pusher:connection_established: " + opening.detail(),
            "the address reaches a WebSocket server that does not speak the Pusher protocol, or a proxy holds the frames back",
            "point the host/port at Herald (or the proxy in front of it); nginx: proxy_buffering off for the WebSocket location");
    }
  }

  private static Result refused(
      Connector connector,
      Target target,
      BroadcastSettings s,
      PusherSocket.Opening opening,
      String where,
      String hostPath) {
    String error =
        "pusher:error "
            + opening.code()
            + (opening.detail().isEmpty() ? "" : " \"" + opening.detail() + "\"");
    switch (opening.code()) {
      case 4001:
        return failure(
            target,
            "the server does not know app key " + s.key() + " (" + error + ")",
            s.variable("APP_KEY") + " is not a key this server serves",
            "set "
                + s.variable("APP_KEY")
                + " (and "
                + s.viteVariable("APP_KEY")
                + ") to the key the server has for your app; running Herald with this same .env makes them equal");
      case 4005:
        Optional<String> prefix = findUpgradePrefix(connector, target, s, hostPath);
        if (prefix.isPresent()) {
          return underAnotherPrefix(
              target,
              s,
              prefix.get(),
              "no WebSocket endpoint at "
                  + where
                  + " ("
                  + error
                  + "), but there is one at "
                  + target.withPath(prefix.get()).wsUrl("/app/" + s.key()));
        }
        return failure(
            target,
            "no WebSocket endpoint at " + where + " (" + error + ")",
            "the server is mounted under another path prefix",
            "set REVERB_SERVER_PATH to the server's prefix (it is printed at start: \"Herald listening on host:port/prefix\")");
      case 4003:
        return failure(
            target,
            "the app is disabled on the server (" + error + ")",
            null,
            "enable the app (enabled: true, HERALD_APP_ENABLED=true, or the enabled column of the apps table)");
      case 4100:
        return failure(
            target,
            "the app is over its connection quota (" + error + ")",
            null,
            "raise max_connections (REVERB_APP_MAX_CONNECTIONS) or find what opens so many connections");
      case 4200:
        return failure(
            target,
            "the server is shutting down (" + error + ")",
            null,
            "try again once it has restarted");
      default:
        return failure(
            target,
            "the server refused the connection at " + where + " (" + error + ")",
            null,
            "see the Pusher protocol's error codes for " + opening.code());
    }
  }

  private static Result notUpgraded(
      Connector connector,
      Target target,
      BroadcastSettings s,
      SignedApi api,
      HttpAnswer answer,
      String where,
      String hostPath) {
    int status = answer.status();
    String got =
        "answered " + answer.statusLine() + " instead of 101 Switching Protocols at " + where;
    if (status >= 300 && status < 400) {
      String location = answer.header("location");
      boolean toHttps = location != null && location.startsWith("https:") && !target.tls();
      return failure(
          target,
          got + (location == null ? "" : " (redirect to " + location + ")"),
          toHttps
              ? "http vs https: the proxy redirects plain http to https, and WebSocket clients do not follow redirects"
              : "WebSocket clients do not follow redirects",
          toHttps
              ? "set "
                  + s.variable("SCHEME")
                  + "=https and "
                  + s.variable("PORT")
                  + "=443 (and the VITE_ copies)"
              : "point the host, port and prefix at the address the redirect names, or stop redirecting the WebSocket path");
    }
    if (status == 502 || status == 503 || status == 504) {
      return failure(
          target,
          got,
          "a proxy answered: it cannot reach the server behind it",
          "start Herald, and check the proxy's upstream address and port (proxy_pass in nginx)");
    }
    if (status == 200) {
      return failure(
          target,
          withSnippet(got, answer),
          "a web server or proxy answered the upgrade itself, with a page, instead of passing it to the WebSocket server",
          "route "
              + target.path()
              + "/app/ to Herald in the proxy, with the WebSocket headers: "
              + ProxyFix.NGINX);
    }
    if (status == 401 || status == 403 || status == 407) {
      return failure(
          target,
          withSnippet(got, answer),
          "a proxy, firewall or login page in front of the server refuses the WebSocket path",
          "let "
              + target.path()
              + "/app/ through without authentication (browsers cannot add credentials to a WebSocket)");
    }
    if (apiAnswers(connector, target, s, api)) {
      // The server's own answers are JSON (or short text); a proxy's error pages are HTML.
      if (looksLikeHtml(answer.body())) {
        return failure(
            target,
            got + " (an HTML page)",
            "the HTTP API on the same address reaches the server, but the WebSocket path is answered by the proxy or web server itself: it does not pass "
                + target.path()
                + "/app/ on to the server",
            "route "
                + target.path()
                + "/app/ to Herald as well as "
                + target.path()
                + "/apps/, with the WebSocket headers: "
                + ProxyFix.NGINX);
      }
      return failure(
          target,
          withSnippet(got, answer),
          "the HTTP API on the same address answers, so requests reach the server, but the upgrade arrives without its Upgrade/Connection headers and is served as a plain GET: a proxy in between drops them",
          ProxyFix.NGINX);
    }
    if (status == 404) {
      Optional<String> prefix = findUpgradePrefix(connector, target, s, hostPath);
      if (prefix.isPresent()) {
        return underAnotherPrefix(
            target,
            s,
            prefix.get(),
            got + ", but " + target.withPath(prefix.get()).wsUrl("/app/" + s.key()) + " upgrades");
      }
    }
    return failure(
        target,
        withSnippet(got, answer),
        "the request does not reach a Pusher-protocol server at this address and path",
        "check that the host and port lead to Herald; behind a proxy, route "
            + target.path()
            + "/app/ and "
            + target.path()
            + "/apps/ to it: "
            + ProxyFix.NGINX);
  }

  /** A failed upgrade; later steps that need a WebSocket are skipped. */
  private static Result failure(Target target, String found, String cause, String fix) {
    return new Result(StepResult.fail(STEP, found, cause, fix), target, false);
  }

  /**
   * The upgrade fails where the settings point but works under {@code prefix}: later steps use it.
   */
  private static Result underAnotherPrefix(
      Target target, BroadcastSettings s, String prefix, String found) {
    return new Result(
        StepResult.fail(
            STEP,
            found,
            "path prefix: the server is mounted under "
                + describe(prefix)
                + ", your settings use "
                + describe(target.path()),
            PrefixFinder.fix(prefix, s)),
        target.withPath(prefix),
        true);
  }

  /** {@code got}, then the start of the answer's body in brackets if it has one. */
  private static String withSnippet(String got, HttpAnswer answer) {
    return got + (answer.body().isEmpty() ? "" : " (" + answer.bodySnippet() + ")");
  }

  /** Whether a Pusher HTTP API answers on this address (200, or 401/403 for the request). */
  static boolean apiAnswers(
      Connector connector, Target target, BroadcastSettings s, SignedApi api) {
    try {
      HttpAnswer answer =
          api != null
              ? api.listChannels(target)
              : HttpWire.exchange(
                  connector,
                  target,
                  "GET",
                  "/apps/" + s.appId() + "/channels",
                  java.util.Map.of(),
                  new byte[0]);
      return answer.status() == 200 || answer.status() == 401 || answer.status() == 403;
    } catch (IOException e) {
      return false;
    }
  }

  private static Optional<String> findUpgradePrefix(
      Connector connector, Target target, BroadcastSettings s, String hostPath) {
    return PrefixFinder.find(
        target.path(),
        s,
        hostPath,
        prefix -> {
          PusherSocket.Opening opening =
              PusherSocket.open(connector, target.withPath(prefix), s.key(), null);
          if (opening.socket() != null) {
            opening.socket().close();
          }
          return opening.outcome() == PusherSocket.Outcome.ESTABLISHED
              || (opening.outcome() == PusherSocket.Outcome.REFUSED && opening.code() != 4005);
        });
  }

  private static boolean looksLikeHtml(String body) {
    String start = body.stripLeading().toLowerCase(java.util.Locale.ROOT);
    return start.startsWith("<!doctype html") || start.startsWith("<html");
  }

  static String describe(String prefix) {
    return prefix.isEmpty() ? "no prefix" : "prefix " + prefix;
  }
}
