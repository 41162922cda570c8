package dev.herald.config;

import java.net.URI;
import java.util.regex.Pattern;

/**
 * Apps read from a database table, refreshed periodically. Immutable.
 *
 * @param url {@code postgresql://user:pass@host:port/db} or {@code mysql://…} / {@code
 *     mariadb://…}, or null when apps come only from configuration
 */
public record DatabaseAppsConfig(String url, String table, int refreshIntervalSeconds) {
  private static final Pattern TABLE = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");

  public boolean enabled() {
    return url != null;
  }

  static DatabaseAppsConfig from(Section section) {
    String url = section.string("apps_database_url");
    if (url != null && url.isBlank()) {
      url = null;
    }
    if (url != null) {
      String scheme;
      try {
        scheme = URI.create(url.trim()).getScheme();
      } catch (IllegalArgumentException e) {
        throw new ConfigException(
            section.source("apps_database_url"), "not a URL: " + ConfigException.withoutInput(e));
      }
      if (scheme == null
          || !(scheme.equals("postgresql")
              || scheme.equals("postgres")
              || scheme.equals("mysql")
              || scheme.equals("mariadb"))) {
        throw new ConfigException(
            section.source("apps_database_url"),
            "must start with postgresql://, mysql:// or mariadb://");
      }
      url = url.trim();
    }
    String table = section.string("apps_table").trim();
    if (!TABLE.matcher(table).matches()) {
      throw new ConfigException(
          section.source("apps_table"), "must be a plain table name, got \"" + table + "\"");
    }
    return new DatabaseAppsConfig(url, table, section.integer("apps_refresh_interval"));
  }
}
