package dev.herald.config;

import java.util.List;

/**
 * One setting of the server or of an app, as {@link Settings} lists it: the one place its file key,
 * environment names, default, bounds and meaning are written. Immutable.
 *
 * @param scope whether it is a key of a config file's {@code server:} map or of one of its apps
 * @param key the file key, and the name the loader and the error messages use
 * @param envNames environment variables that set it, the winning one first (Herald's or Reverb's
 *     name, then Pusher's); empty when only the file or the command line sets it. Soketi's names
 *     are translated apart ({@link SoketiEnvironment}), in Soketi's units
 * @param defaultValue the value as it would be written, or null when there is none (unset, required
 *     or computed)
 * @param shownDefault the default as the configuration reference shows it (e.g. {@code `8080`},
 *     {@code unlimited (`0`)}, {@code none})
 * @param range the inclusive bounds of a whole-number setting, null for any other
 * @param doc what it does, in one line
 * @param soketiDefault the default under Soketi's names or config file where it differs from
 *     Herald's ({@link SoketiDefaults}), or null
 */
public record Setting(
    Scope scope,
    String key,
    List<String> envNames,
    String defaultValue,
    String shownDefault,
    Range range,
    String doc,
    String soketiDefault) {

  /** Whether a setting belongs to the server or to each app. */
  public enum Scope {
    SERVER,
    APP
  }

  /** Inclusive bounds of a whole number. */
  public record Range(int min, int max) {}

  public Setting {
    envNames = List.copyOf(envNames);
  }

  /** This setting with Soketi's default for it. */
  Setting withSoketiDefault(String value) {
    return new Setting(scope, key, envNames, defaultValue, shownDefault, range, doc, value);
  }

  /**
   * How an error message names it: its file key and variables, e.g. {@code port /
   * REVERB_SERVER_PORT}.
   */
  String names() {
    return envNames.isEmpty() ? key : key + " / " + String.join(" / ", envNames);
  }

  /** The default as a whole number; only for a setting with a range and a default. */
  int intDefault() {
    return Integer.parseInt(defaultValue);
  }
}
