package dev.herald.doctor;

/**
 * The broadcasting settings of a Laravel app as its {@code .env} (and process environment) give
 * them, raw: any value may be null when the variable is not set. {@code prefix} is {@code REVERB}
 * or {@code PUSHER}: which family of variables the driver reads, so messages name the variable the
 * user has to edit.
 *
 * <p>Defaults are those of Laravel's {@code config/broadcasting.php}: port 443 and scheme https
 * when unset (recorded here already applied, with {@code portDefaulted}/{@code schemeDefaulted}
 * saying so).
 */
public record BroadcastSettings(
    String source,
    String driver,
    String driverVariable,
    String prefix,
    String appId,
    String key,
    String secret,
    String host,
    String port,
    boolean portDefaulted,
    String scheme,
    boolean schemeDefaulted,
    String serverPath,
    String appUrl,
    String viteKey,
    String viteHost,
    String vitePort,
    String viteScheme,
    String queueConnection) {

  /** {@code REVERB_APP_KEY} or {@code PUSHER_APP_KEY}, and so on: the variable for a setting. */
  public String variable(String suffix) {
    return prefix + "_" + suffix;
  }

  /** {@code VITE_REVERB_APP_KEY} and so on. */
  public String viteVariable(String suffix) {
    return "VITE_" + prefix + "_" + suffix;
  }

  /** The connection name in config/broadcasting.php: the driver, or reverb when unset. */
  public String driverOrDefault() {
    return "PUSHER".equals(prefix) ? "pusher" : "reverb";
  }
}
