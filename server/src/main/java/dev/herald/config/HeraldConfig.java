package dev.herald.config;

import java.util.List;

/**
 * Everything the server needs to start. Immutable.
 *
 * @param usingDevelopmentApp true when no app was configured and the built-in dev app is served
 */
public record HeraldConfig(ServerConfig server, List<AppConfig> apps, boolean usingDevelopmentApp) {
  public HeraldConfig {
    apps = List.copyOf(apps);
  }
}
