package dev.herald.config;

import java.util.List;

/**
 * Everything the server needs to start. Immutable.
 *
 * @param usingDevelopmentApp true when no app was configured and the built-in dev app is served
 * @param dev {@code --dev}: also serve the demo page and its auth and trigger endpoints for the
 *     development app (only ever true together with {@code usingDevelopmentApp})
 */
public record HeraldConfig(
    ServerConfig server, List<AppConfig> apps, boolean usingDevelopmentApp, boolean dev) {
  public HeraldConfig {
    apps = List.copyOf(apps);
  }
}
