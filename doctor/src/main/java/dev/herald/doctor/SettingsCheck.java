package dev.herald.doctor;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Step 1: the settings are complete and agree with each other. Laravel publishes with {@code
 * REVERB_*} (or {@code PUSHER_*}) while the browser connects with the {@code VITE_*} copies baked
 * into the front end at build time; when the two disagree, events are sent to one place and
 * listened for at another. Pure: no I/O.
 */
final class SettingsCheck {
  static final String STEP = "settings";

  private SettingsCheck() {}

  /**
   * What step 1 found, and the address the next steps use ({@code target} null when there is not
   * enough to connect anywhere). {@code hostPath} is a prefix found inside the host setting.
   */
  record Result(List<StepResult> results, Target target, String hostPath) {}

  static Result check(BroadcastSettings s, DoctorOptions options) {
    List<StepResult> out = new ArrayList<>();
    String driver = s.driver() == null ? null : s.driver().toLowerCase(Locale.ROOT);
    if (driver == null) {
      out.add(
          StepResult.fail(
              STEP,
              s.driverVariable() + " is not set",
              "Laravel then uses the \"null\" broadcaster: events are dropped without a word",
              "set BROADCAST_CONNECTION=reverb (Laravel 11+; BROADCAST_DRIVER=reverb before) or pusher"));
    } else if (!driver.equals("reverb") && !driver.equals("pusher")) {
      out.add(
          StepResult.fail(
              STEP,
              s.driverVariable()
                  + "="
                  + s.driver()
                  + " does not broadcast to a Pusher-protocol server",
              "Laravel hands events to the \"" + s.driver() + "\" broadcaster, not to Herald",
              "set " + s.driverVariable() + "=reverb (or pusher)"));
    }

    for (String[] required :
        new String[][] {{"APP_ID", s.appId()}, {"APP_KEY", s.key()}, {"APP_SECRET", s.secret()}}) {
      if (required[1] == null) {
        out.add(
            StepResult.fail(
                STEP,
                s.variable(required[0]) + " is not set",
                "Laravel cannot "
                    + (required[0].equals("APP_KEY") ? "connect or sign" : "sign")
                    + " without it",
                "set " + s.variable(required[0]) + " to the value the server has for your app"));
      }
    }

    String host = options.host() != null ? options.host() : s.host();
    String hostPath = "";
    if (host == null) {
      out.add(
          StepResult.fail(
              STEP,
              s.variable("HOST") + " is not set",
              "Laravel does not know where to send events",
              "set "
                  + s.variable("HOST")
                  + " to the server's public host name, e.g. ws.example.com"));
    } else if (options.host() == null) {
      String bare = host;
      int scheme = bare.indexOf("://");
      if (scheme >= 0) {
        out.add(
            StepResult.fail(
                STEP,
                s.variable("HOST") + "=" + host + " contains a scheme",
                "the SDKs put the scheme in front themselves, giving \"http://" + host + "\"",
                "set "
                    + s.variable("HOST")
                    + "="
                    + bare.substring(scheme + 3).replaceAll("[/:].*", "")
                    + " and the scheme in "
                    + s.variable("SCHEME")));
        bare = bare.substring(scheme + 3);
      }
      int slash = bare.indexOf('/');
      if (slash >= 0) {
        hostPath = trimSlash(bare.substring(slash));
        bare = bare.substring(0, slash);
        out.add(
            StepResult.fail(
                STEP,
                s.variable("HOST") + "=" + host + " contains a path",
                "the SDKs append the port to the host, so the path ends up in the wrong place and the"
                    + " API signature covers the wrong path",
                "set "
                    + s.variable("HOST")
                    + "="
                    + bare
                    + "; a prefix goes in REVERB_SERVER_PATH="
                    + hostPath
                    + ", with 'path' => env('REVERB_SERVER_PATH', '') in the connection's options in"
                    + " config/broadcasting.php and wsPath: '"
                    + hostPath
                    + "' for Echo"));
      }
      if (bare.matches("[^:\\[\\]]+:\\d+")) {
        out.add(
            StepResult.fail(
                STEP,
                s.variable("HOST") + "=" + host + " contains a port",
                "the SDKs add " + s.variable("PORT") + " after it",
                "set "
                    + s.variable("HOST")
                    + "="
                    + bare.substring(0, bare.indexOf(':'))
                    + " and "
                    + s.variable("PORT")
                    + "="
                    + bare.substring(bare.indexOf(':') + 1)));
        bare = bare.substring(0, bare.indexOf(':'));
      }
      host =
          bare.startsWith("[") && bare.endsWith("]") ? bare.substring(1, bare.length() - 1) : bare;
      if (host.equals("0.0.0.0") || host.equals("::")) {
        out.add(
            StepResult.fail(
                STEP,
                s.variable("HOST") + "=" + host + " is a listen address",
                "it means \"every interface\" to a server (REVERB_SERVER_HOST); a browser cannot"
                    + " connect to it, and Laravel reaches this machine only by luck",
                "set "
                    + s.variable("HOST")
                    + " to the name clients use (e.g. ws.example.com, or localhost in"
                    + " development); keep 0.0.0.0 in REVERB_SERVER_HOST"));
      }
    }

    Integer port = options.port();
    if (port == null) {
      try {
        port = Integer.parseInt(s.port());
        if (port < 1 || port > 65535) {
          throw new NumberFormatException();
        }
      } catch (NumberFormatException e) {
        port = null;
        out.add(
            StepResult.fail(
                STEP,
                s.variable("PORT") + "=" + s.port() + " is not a port number",
                null,
                "set "
                    + s.variable("PORT")
                    + " to the server's public port (443 behind a TLS proxy)"));
      }
    }

    String scheme = s.scheme();
    if (!scheme.equals("http") && !scheme.equals("https")) {
      out.add(
          StepResult.fail(
              STEP,
              s.variable("SCHEME") + "=" + scheme + " is neither http nor https",
              "the SDKs expect http or https (ws/wss are derived from it)",
              "set " + s.variable("SCHEME") + "=https with TLS, http without"));
      scheme = scheme.equals("wss") ? "https" : "http";
    }

    compareVite(s, out);
    checkMixedContent(s, out);
    checkQueue(s, out);

    String path =
        options.path() != null
            ? trimSlash(options.path())
            : s.serverPath() != null ? trimSlash(s.serverPath()) : "";
    Target target =
        host == null || port == null || s.key() == null
            ? null
            : new Target(scheme, host, port, path, true);
    if (out.stream().noneMatch(r -> r.verdict() == Verdict.FAIL)) {
      out.add(
          0,
          StepResult.pass(
              STEP,
              s.driverVariable()
                  + "="
                  + s.driver()
                  + ", app id "
                  + s.appId()
                  + ", key "
                  + s.key()
                  + ", server "
                  + target.httpUrl("")
                  + (options.host() != null || options.port() != null || options.path() != null
                      ? " (--host/--port/--path given)"
                      : s.portDefaulted() || s.schemeDefaulted()
                          ? " (port/scheme: Laravel's defaults)"
                          : "")
                  + (s.viteKey() != null ? "; VITE_" + s.prefix() + "_* agree" : "")));
    }
    return new Result(out, target, hostPath);
  }

  /**
   * {@code ShouldBroadcast} events are queued jobs: with any queue but {@code sync} they reach the
   * server only while a worker runs, the most common "nothing arrives" on a new Laravel 11+ app
   * (its .env says {@code QUEUE_CONNECTION=database}). Unset means Laravel's default of older
   * versions ({@code sync}), so nothing is said.
   */
  private static void checkQueue(BroadcastSettings s, List<StepResult> out) {
    String queue = s.queueConnection();
    if (queue == null || queue.equals("sync")) {
      return;
    }
    if (queue.equals("null")) {
      out.add(
          StepResult.fail(
              STEP,
              "QUEUE_CONNECTION=null discards queued jobs",
              "ShouldBroadcast events are queued jobs, so every broadcast is thrown away",
              "set QUEUE_CONNECTION=sync (or database/redis with a worker running php artisan"
                  + " queue:work), or implement ShouldBroadcastNow"));
      return;
    }
    out.add(
        StepResult.warn(
            STEP,
            "events are queued (QUEUE_CONNECTION=" + queue + "): is a worker running?",
            "ShouldBroadcast events reach the server only when php artisan queue:work (or Horizon)"
                + " processes them; the round-trip step below posts directly and bypasses the"
                + " queue",
            "keep php artisan queue:work running (under Supervisor in production), or set"
                + " QUEUE_CONNECTION=sync in development, or implement ShouldBroadcastNow"));
  }

  /** The front end's copies must name the same app and server as the back end's. */
  private static void compareVite(BroadcastSettings s, List<StepResult> out) {
    if (s.viteKey() == null) {
      out.add(
          StepResult.warn(
              STEP,
              s.viteVariable("APP_KEY") + " is not set",
              "Echo's generated resources/js/echo.js reads the key from it at build time",
              "add "
                  + s.viteVariable("APP_KEY")
                  + "=\"${"
                  + s.variable("APP_KEY")
                  + "}\" (and the HOST, PORT, SCHEME lines), then rebuild the front end"));
    }
    mismatch(
        s,
        out,
        "APP_KEY",
        s.viteKey(),
        s.key(),
        "the browser subscribes to a different app than Laravel publishes to");
    mismatch(
        s,
        out,
        "HOST",
        s.viteHost(),
        s.host(),
        "the browser connects to another server than Laravel publishes to");
    mismatch(
        s,
        out,
        "PORT",
        s.vitePort(),
        s.portDefaulted() ? null : s.port(),
        "the browser connects to another port than Laravel publishes to");
    mismatch(
        s,
        out,
        "SCHEME",
        s.viteScheme(),
        s.schemeDefaulted() ? null : s.scheme(),
        "the browser uses " + s.viteScheme() + " while Laravel uses " + s.scheme());
  }

  private static void mismatch(
      BroadcastSettings s,
      List<StepResult> out,
      String suffix,
      String vite,
      String backend,
      String why) {
    if (vite == null || backend == null || vite.equals(backend)) {
      return;
    }
    out.add(
        StepResult.fail(
            STEP,
            s.viteVariable(suffix) + "=" + vite + " but " + s.variable(suffix) + "=" + backend,
            why + " (unless a proxy maps one to the other on purpose)",
            "set "
                + s.viteVariable(suffix)
                + "=\"${"
                + s.variable(suffix)
                + "}\" in .env and rebuild the front end (npm run build)"));
  }

  /** A page served over https may not open ws://: browsers block it as mixed content. */
  private static void checkMixedContent(BroadcastSettings s, List<StepResult> out) {
    String browserScheme = s.viteScheme() != null ? s.viteScheme() : s.scheme();
    if (s.appUrl() != null
        && s.appUrl().toLowerCase(Locale.ROOT).startsWith("https:")
        && "http".equals(browserScheme)) {
      String variable = s.viteScheme() != null ? s.viteVariable("SCHEME") : s.variable("SCHEME");
      out.add(
          StepResult.fail(
              STEP,
              "APP_URL is https but " + variable + "=http",
              "browsers refuse ws:// from an https page (mixed content)",
              "serve the WebSocket over TLS (a proxy or HERALD_TLS_CERT) and set "
                  + s.variable("SCHEME")
                  + "=https, "
                  + s.viteVariable("SCHEME")
                  + "=https"));
    }
  }

  static String trimSlash(String path) {
    String trimmed = path.trim();
    while (trimmed.endsWith("/")) {
      trimmed = trimmed.substring(0, trimmed.length() - 1);
    }
    return trimmed.isEmpty() || trimmed.startsWith("/") ? trimmed : "/" + trimmed;
  }

  /** {@code scheme://host[:port]} of APP_URL, as a browser sends it in {@code Origin}; or null. */
  static String origin(String appUrl) {
    if (appUrl == null) {
      return null;
    }
    try {
      URI uri = URI.create(appUrl.trim());
      if (uri.getScheme() == null || uri.getHost() == null) {
        return null;
      }
      String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
      int port = uri.getPort();
      boolean defaultPort =
          port < 0
              || (scheme.equals("http") && port == 80)
              || (scheme.equals("https") && port == 443);
      return scheme
          + "://"
          + uri.getHost().toLowerCase(Locale.ROOT)
          + (defaultPort ? "" : ":" + port);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
