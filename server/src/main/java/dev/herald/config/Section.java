package dev.herald.config;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Raw settings of one scope (the server, or one app) gathered from files and the environment, each
 * remembering where it came from so that a bad value is reported with its file and key or its
 * variable. Parses values into types; mutable only while the loader fills it.
 */
final class Section {

  /** One raw value and a description of its origin, e.g. {@code env REVERB_APP_KEY}. */
  record Value(String text, String source) {}

  private final String description;
  private final Map<String, Value> values = new LinkedHashMap<>();

  Section(String description) {
    this.description = description;
  }

  /**
   * Sets a setting of {@link Settings}; any other key is a programming error (a translation, such
   * as Soketi's, aiming at a setting that does not exist), caught here rather than ignored.
   */
  void put(String key, String text, String source) {
    Settings.named(key);
    values.put(key, new Value(text, source));
  }

  /** Sets a key that no source has set: a default of a configuration style (Soketi's). */
  void putDefault(String key, String text, String source) {
    Settings.named(key);
    values.putIfAbsent(key, new Value(text, source));
  }

  /** Sets every key of {@code other} that this section has not set. */
  void putDefaults(Section other) {
    other.values.forEach(values::putIfAbsent);
  }

  /** Where a key's value came from, or this section's description when it is not set. */
  String source(String key) {
    Value value = values.get(key);
    return value == null ? description + "." + key : value.source();
  }

  boolean has(String key) {
    return values.containsKey(key);
  }

  String requiredString(String key) {
    Value value = values.get(key);
    if (value == null || value.text().isBlank()) {
      throw new ConfigException(description, key + " is required");
    }
    return value.text().trim();
  }

  /**
   * The text given for a setting of {@link Settings}, or its default there, or "" when it has none
   * (unset, computed or required).
   */
  String string(String key) {
    String fallback = Settings.named(key).defaultValue();
    return string(key, fallback == null ? "" : fallback);
  }

  /** The text given for a key, or {@code fallback}: for a default computed at load time. */
  String string(String key, String fallback) {
    Value value = values.get(key);
    return value == null ? fallback : value.text();
  }

  /** A true/false setting of {@link Settings}; its default when unset or blank. */
  boolean bool(String key) {
    Value value = values.get(key);
    if (value == null || value.text().isBlank()) {
      return Boolean.parseBoolean(Settings.named(key).defaultValue());
    }
    return switch (value.text().trim().toLowerCase(Locale.ROOT)) {
      case "true", "1", "yes", "on" -> true;
      case "false", "0", "no", "off" -> false;
      default ->
          throw new ConfigException(
              value.source(), "must be true or false, got \"" + value.text() + "\"");
    };
  }

  /**
   * A whole-number setting of {@link Settings}, checked against its bounds there; its default when
   * unset, blank or {@code null}.
   */
  int integer(String key) {
    Setting setting = Settings.named(key);
    int min = setting.range().min();
    int max = setting.range().max();
    Value value = values.get(key);
    if (value == null || value.text().isBlank() || value.text().trim().equals("null")) {
      return setting.intDefault();
    }
    int parsed;
    try {
      parsed = Integer.parseInt(value.text().trim());
    } catch (NumberFormatException e) {
      throw new ConfigException(
          value.source(), "must be a whole number, got \"" + value.text() + "\"");
    }
    if (parsed < min || parsed > max) {
      throw new ConfigException(
          value.source(), "must be between " + min + " and " + max + ", got " + parsed);
    }
    return parsed;
  }

  /**
   * A setting of {@link Settings} that names a constant of {@code type}; its default when unset.
   */
  <E extends Enum<E>> E oneOf(String key, Class<E> type) {
    return oneOf(
        key, Enum.valueOf(type, Settings.named(key).defaultValue().toUpperCase(Locale.ROOT)), type);
  }

  /**
   * The constant of {@code type} given for a key, or {@code fallback}: a default computed at load.
   */
  <E extends Enum<E>> E oneOf(String key, E fallback, Class<E> type) {
    Value value = values.get(key);
    if (value == null || value.text().isBlank()) {
      return fallback;
    }
    try {
      return Enum.valueOf(type, value.text().trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      StringBuilder allowed = new StringBuilder();
      for (E constant : type.getEnumConstants()) {
        allowed
            .append(allowed.length() == 0 ? "" : ", ")
            .append(constant.name().toLowerCase(Locale.ROOT));
      }
      throw new ConfigException(
          value.source(), "must be one of " + allowed + ", got \"" + value.text() + "\"");
    }
  }
}
