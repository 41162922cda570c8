package dev.herald;

import dev.herald.config.AppConfig;
import dev.herald.config.ConfigException;
import dev.herald.config.ConfigLoader;
import dev.herald.config.HeraldConfig;
import dev.herald.doctor.DoctorCommand;
import dev.herald.runtime.HealthUrlFile;
import dev.herald.runtime.LogSetup;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;
import java.util.List;

/**
 * {@code java -jar herald.jar [--config FILE] [--env-file FILE]}: loads configuration and starts;
 * {@code java -jar herald.jar doctor ...} checks a Laravel app's settings against a running server.
 */
public final class Main {
  private Main() {}

  /**
   * The doctor's arguments when the command is {@code doctor ...}, else null. A leading {@code
   * --health-url-file FILE} is passed over: the Docker image's entry point puts it before what
   * {@code docker run IMAGE doctor ...} adds, and the doctor serves nothing to report a URL for.
   */
  static List<String> doctorArguments(List<String> args) {
    List<String> command = args;
    if (command.size() >= 2 && command.get(0).equals("--health-url-file")) {
      command = command.subList(2, command.size());
    }
    return !command.isEmpty() && command.get(0).equals("doctor")
        ? command.subList(1, command.size())
        : null;
  }

  public static void main(String[] args) {
    List<String> doctor = doctorArguments(List.of(args));
    if (doctor != null) {
      System.exit(DoctorCommand.run(doctor, System.getenv(), System.out, System.err));
      return;
    }
    if (args.length == 1 && (args[0].equals("--version") || args[0].equals("-V"))) {
      System.out.println("herald " + Version.current());
      return;
    }
    if (args.length == 1 && args[0].equals("--env-names")) {
      ConfigLoader.envNames().forEach(System.out::println);
      ConfigLoader.soketiEnvNames().forEach(System.out::println);
      return;
    }
    ConfigLoader.CommandLine commandLine;
    HeraldConfig config;
    try {
      commandLine = ConfigLoader.parseArgs(List.of(args));
      if (commandLine.help()) {
        usage(System.out);
        return;
      }
      config = ConfigLoader.load(commandLine, System.getenv());
    } catch (ConfigException e) {
      System.err.println("herald: configuration error: " + e.getMessage());
      System.exit(2);
      return;
    }
    LogSetup.configure(config.server().jsonLogs(), config.server().debug());
    Herald herald;
    try {
      herald = new Herald(config, Clock.systemUTC());
    } catch (ConfigException e) {
      System.err.println("herald: configuration error: " + e.getMessage());
      System.exit(2);
      return;
    }
    herald
        .start()
        .onSuccess(
            port -> {
              // One write: a reader of the log sees the whole banner or none of it.
              System.out.print(banner(config, port, herald, commandLine.hostname()));
              System.out.flush();
              if (commandLine.healthUrlFile() != null) {
                // Off the event loop: a file write blocks.
                java.util.concurrent.CompletableFuture.runAsync(
                    () -> writeHealthUrl(commandLine.healthUrlFile(), config, port, herald));
              }
              // Registered only once running: System.exit from a failed start must not wait for
              // a hook that needs the very event loop it is called on.
              Runtime.getRuntime().addShutdownHook(new Thread(() -> drain(herald), "herald-drain"));
            })
        .onFailure(
            error -> {
              LogSetup.flush();
              System.err.println(
                  "herald: cannot start on "
                      + config.server().host()
                      + ":"
                      + config.server().port()
                      + ": "
                      + error.getMessage());
              System.exit(1);
            });
  }

  private static void writeHealthUrl(
      java.nio.file.Path file, HeraldConfig config, int port, Herald herald) {
    String url =
        HealthUrlFile.url(
            config.server().host(), port, config.server().path(), herald.tlsFingerprint() != null);
    try {
      HealthUrlFile.write(file, url);
    } catch (java.io.IOException | RuntimeException e) {
      System.err.println("herald: cannot write the health URL to " + file + ": " + e);
    }
  }

  /**
   * On SIGTERM/SIGINT: drain, then end with status 0 (a drained shutdown is a clean one, not a
   * signal death).
   */
  private static void drain(Herald herald) {
    System.out.println("herald: draining: closing connections with 4200, then stopping");
    System.out.flush();
    try {
      herald
          .drain()
          .toCompletionStage()
          .toCompletableFuture()
          .get(herald.drainLimitSeconds(), java.util.concurrent.TimeUnit.SECONDS);
      System.out.println("herald: drained, bye");
    } catch (Exception e) {
      System.err.println("herald: drain did not finish cleanly: " + e);
    }
    LogSetup.flush();
    System.out.flush();
    Runtime.getRuntime().halt(0);
  }

  /**
   * @param hostname the name clients reach this server by ({@code --hostname}), or null to show the
   *     listen address
   */
  private static String banner(HeraldConfig config, int port, Herald herald, String hostname) {
    StringWriter text = new StringWriter();
    PrintWriter out = new PrintWriter(text);
    String host = config.server().host();
    String scheme = herald.tlsFingerprint() == null ? "ws/http" : "wss/https";
    out.println(
        "Herald listening on "
            + host
            + ":"
            + port
            + config.server().path()
            + " ("
            + scheme
            + ", "
            + herald.eventLoops()
            + " event loops, "
            + herald.transport()
            + ", "
            + (config.server().scaling().enabled()
                ? "node " + herald.nodeId() + " of a Redis cluster"
                : "single node, in memory")
            + ", version "
            + Version.current()
            + ")");
    if (herald.tlsFingerprint() != null) {
      out.println("TLS certificate SHA-256 fingerprint: " + herald.tlsFingerprint());
      if (config.server().tls().selfSigned()) {
        out.println("  (a self-signed development certificate for localhost and 127.0.0.1)");
      }
    }
    if (herald.databaseAppCount() >= 0) {
      out.println(
          "  "
              + herald.databaseAppCount()
              + " app(s) from table "
              + config.server().database().table()
              + ", re-read every "
              + config.server().database().refreshIntervalSeconds()
              + " s");
    }
    for (AppConfig app : config.apps()) {
      out.println(
          "  app id=" + app.id() + " key=" + app.key() + (app.enabled() ? "" : " (disabled)"));
    }
    if (config.usingDevelopmentApp()) {
      AppConfig app = config.apps().get(0);
      out.println();
      out.println("No app configured: serving the DEVELOPMENT app. Do not use it in production.");
      out.println("  REVERB_APP_ID=" + app.id());
      out.println("  REVERB_APP_KEY=" + app.key());
      out.println("  REVERB_APP_SECRET=" + app.secret());
      out.println("  REVERB_HOST=" + (hostname != null ? hostname : "127.0.0.1"));
      out.println("  REVERB_PORT=" + port);
      out.println("  REVERB_SCHEME=" + (herald.tlsFingerprint() == null ? "http" : "https"));
    }
    if (herald.demoPath() != null) {
      out.println();
      out.println(
          "Demo (--dev, fake sign-in; never in production): "
              + (herald.tlsFingerprint() == null ? "http" : "https")
              + "://"
              + (hostname != null ? hostname : browserHost(host))
              + ":"
              + port
              + herald.demoPath());
    }
    return text.toString();
  }

  /** A host a browser on this machine can open: a wildcard address becomes localhost. */
  private static String browserHost(String host) {
    if (host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]")) {
      return "localhost";
    }
    return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
  }

  private static void usage(PrintStream out) {
    out.println(
        "Usage: java -jar herald.jar [--config FILE] [--env-file FILE] [--host H] [--port P] [--path P] [--hostname H] [--tls-self-signed] [--debug] [--log-format plain|json] [--dev]");
    out.println(
        "       java -jar herald.jar doctor --env-file FILE   check a Laravel app's settings against a running server (doctor --help)");
    out.println();
    out.println("       java -jar herald.jar --version | --env-names");
    out.println();
    out.println("  --config FILE    YAML or JSON file declaring server settings and apps,");
    out.println("                   or Soketi's JSON config file (soketi start --config=FILE)");
    out.println(
        "  --env-file FILE  a Laravel .env file to read REVERB_* / PUSHER_* / SOKETI_* settings from");
    out.println("                   (variables in the process environment win over the file)");
    out.println(
        "  --host H, --port P, --path P  listen address and mount path, as php artisan reverb:start takes");
    out.println(
        "                   them (--port=8080 works too); they win over REVERB_SERVER_HOST/PORT/PATH");
    out.println("  --hostname H     the name clients reach the server by (shown in the banner)");
    out.println(
        "  --tls-self-signed  serve wss:// and https:// with a generated development certificate");
    out.println(
        "  --debug          log every frame in and out, payloads included (HERALD_DEBUG=true)");
    out.println("  --log-format json  one JSON object per log line (HERALD_LOG_FORMAT=json)");
    out.println(
        "  --dev            also serve the demo at /demo/ with a fake sign-in (development app only)");
    out.println(
        "  --health-url-file FILE  once serving, write the URL of /up here (container probes)");
    out.println("  --version        print the version");
    out.println(
        "  --env-names      print every environment variable Herald reads (Soketi's names last)");
    out.println();
    out.println("With no configuration, serves a development app on 0.0.0.0:8080.");
    out.println("See docs/configuration.md for every setting.");
  }
}
