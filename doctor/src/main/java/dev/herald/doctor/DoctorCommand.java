package dev.herald.doctor;

import dev.herald.config.ConfigException;
import java.io.IOException;
import java.io.PrintStream;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.util.List;
import java.util.Map;

/**
 * {@code java -jar herald.jar doctor [options]}: checks a Laravel app's broadcasting settings
 * against the running server, step by step, and prints a verdict per step with the cause and fix of
 * each failure. Exit status: 0 when no step failed (warnings allowed), 1 when one did, 2 when the
 * command line or the env file cannot be used.
 */
public final class DoctorCommand {
  private DoctorCommand() {}

  public static int run(
      List<String> args, Map<String, String> processEnv, PrintStream out, PrintStream err) {
    DoctorOptions options;
    try {
      options = DoctorOptions.parse(args);
    } catch (IllegalArgumentException e) {
      err.println("herald doctor: " + e.getMessage());
      err.println("Try: java -jar herald.jar doctor --help");
      return 2;
    }
    if (options.help()) {
      usage(out);
      return 0;
    }
    BroadcastSettings settings;
    try {
      settings = BroadcastSettingsReader.read(options.envFile(), processEnv);
    } catch (ConfigException e) {
      err.println("herald doctor: " + e.getMessage());
      return 2;
    }
    TlsContexts tls;
    try {
      tls = TlsContexts.create(options.caCert());
    } catch (IOException | GeneralSecurityException e) {
      err.println(
          "herald doctor: --cacert "
              + options.caCert()
              + ": cannot read certificates: "
              + e.getMessage());
      return 2;
    }
    Report report = new Report(out);
    report.note("Herald doctor: checking the broadcasting settings from " + settings.source());
    report.note("");
    try {
      new Doctor(new Connector(tls, options.timeout()), Clock.systemUTC(), report)
          .run(settings, options);
    } catch (RuntimeException e) {
      // A bug in the doctor must not pass for a healthy server.
      err.println("herald doctor: stopped by an unexpected error: " + e);
      return 1;
    }
    return report.finish();
  }

  public static void usage(PrintStream out) {
    out.println("Usage: java -jar herald.jar doctor [--env-file FILE] [options]");
    out.println();
    out.println(
        "Checks a Laravel app's broadcasting settings (BROADCAST_CONNECTION, REVERB_* or PUSHER_*,");
    out.println(
        "VITE_REVERB_*, APP_URL) against the running server, from the outside, step by step:");
    out.println("  settings    the settings are complete, and VITE_* agree with REVERB_*");
    out.println("  reach       the host resolves and the port accepts TCP");
    out.println(
        "  tls         the port speaks what REVERB_SCHEME says; with https, a valid certificate");
    out.println(
        "  websocket   the upgrade at {prefix}/app/{key} gives 101 and pusher:connection_established");
    out.println(
        "  http-api    a signed GET {prefix}/apps/{id}/channels succeeds (else: secret, clock or prefix?)");
    out.println("  round-trip  an event POSTed through the API reaches a WebSocket subscriber");
    out.println("  origin      the server accepts a WebSocket with Origin: APP_URL");
    out.println();
    out.println(
        "  --env-file FILE   the Laravel .env; variables in the process environment win over it,");
    out.println("                    as in Laravel. Without it, only the environment is read.");
    out.println("  --timeout SECONDS how long each network step may wait (default 5)");
    out.println("  --host HOST, --port PORT, --path PREFIX");
    out.println(
        "                    check another address than the settings name (e.g. from outside Docker)");
    out.println(
        "  --cacert FILE     also trust these PEM certificates (e.g. Herald's development certificate)");
    out.println();
    out.println(
        "Exit status: 0 when no step failed (warnings allowed), 1 when one did, 2 for bad usage.");
  }
}
