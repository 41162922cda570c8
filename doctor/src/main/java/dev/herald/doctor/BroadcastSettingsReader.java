package dev.herald.doctor;

import dev.herald.config.EnvFile;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Reads a Laravel app's broadcasting settings from its {@code .env} file and the process
 * environment.
 *
 * <p>The process environment wins over the file, as in Laravel itself: phpdotenv never overwrites a
 * variable that is already set, so {@code REVERB_PORT=6001 php artisan ...} uses 6001 whatever the
 * file says. The file is parsed by the server's own {@link EnvFile} (quotes, {@code export},
 * comments, {@code ${OTHER}} references), so the doctor sees the values Herald would see.
 */
public final class BroadcastSettingsReader {
  private BroadcastSettingsReader() {}

  /**
   * @param envFile the {@code .env}, or null to read the process environment only
   * @throws dev.herald.config.ConfigException when the file cannot be read or parsed
   */
  public static BroadcastSettings read(Path envFile, Map<String, String> processEnv) {
    Map<String, String> env = new HashMap<>();
    if (envFile != null) {
      env.putAll(EnvFile.read(envFile, processEnv::get));
    }
    env.putAll(processEnv);

    String driverVariable = "BROADCAST_CONNECTION";
    String driver = value(env, driverVariable);
    if (driver == null && value(env, "BROADCAST_DRIVER") != null) {
      // Laravel 10 and older name it BROADCAST_DRIVER.
      driverVariable = "BROADCAST_DRIVER";
      driver = value(env, driverVariable);
    }
    String prefix = "pusher".equals(lower(driver)) ? "PUSHER" : "REVERB";
    if (driver == null && value(env, "REVERB_APP_KEY") == null) {
      if (value(env, "PUSHER_APP_KEY") != null) {
        prefix = "PUSHER";
      }
    }

    String port = value(env, prefix + "_PORT");
    String scheme = value(env, prefix + "_SCHEME");
    String host = value(env, prefix + "_HOST");
    if (host == null && "PUSHER".equals(prefix)) {
      // config/broadcasting.php: PUSHER_HOST ?: 'api-'.PUSHER_APP_CLUSTER.'.pusher.com'
      String cluster = value(env, "PUSHER_APP_CLUSTER");
      host = "api-" + (cluster == null ? "mt1" : cluster) + ".pusher.com";
    }
    return new BroadcastSettings(
        envFile == null ? "the process environment" : envFile + " and the process environment",
        driver,
        driverVariable,
        prefix,
        value(env, prefix + "_APP_ID"),
        value(env, prefix + "_APP_KEY"),
        value(env, prefix + "_APP_SECRET"),
        host,
        port == null ? "443" : port,
        port == null,
        scheme == null ? "https" : lower(scheme),
        scheme == null,
        value(env, "REVERB_SERVER_PATH"),
        value(env, "APP_URL"),
        value(env, "VITE_" + prefix + "_APP_KEY"),
        value(env, "VITE_" + prefix + "_HOST"),
        value(env, "VITE_" + prefix + "_PORT"),
        lower(value(env, "VITE_" + prefix + "_SCHEME")),
        // QUEUE_DRIVER is what Laravel before 5.7 read.
        lower(
            value(env, "QUEUE_CONNECTION") != null
                ? value(env, "QUEUE_CONNECTION")
                : value(env, "QUEUE_DRIVER")));
  }

  /** An empty value is treated as unset: for these settings it is never what the user meant. */
  private static String value(Map<String, String> env, String name) {
    String value = env.get(name);
    return value == null || value.isBlank() ? null : value.trim();
  }

  private static String lower(String value) {
    return value == null ? null : value.toLowerCase(Locale.ROOT);
  }
}
