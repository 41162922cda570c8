package dev.herald.doctor;

import java.io.IOException;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;

/**
 * Finds the mount prefix a server really uses when the configured one answers 404 or "path not
 * found": the prefixes the settings hint at first (a path written into the host setting, {@code
 * REVERB_SERVER_PATH}, none at all), then the ones deployments commonly use. Each candidate costs
 * one request, so the list is short on purpose.
 */
final class PrefixFinder {
  private static final String[] COMMON = {
    "/ws",
    "/wss",
    "/reverb",
    "/pusher",
    "/websocket",
    "/websockets",
    "/socket",
    "/sockets",
    "/broadcasting",
    "/realtime",
    "/herald",
    "/soketi"
  };

  /** Whether the server answers at a prefix (a Pusher-protocol answer, not a 404). */
  interface Probe {
    boolean answersAt(String prefix) throws IOException;
  }

  private PrefixFinder() {}

  static Optional<String> find(
      String current, BroadcastSettings settings, String hostPath, Probe probe) {
    Set<String> candidates = new LinkedHashSet<>();
    if (hostPath != null && !hostPath.isEmpty()) {
      candidates.add(hostPath);
    }
    if (settings.serverPath() != null) {
      candidates.add(SettingsCheck.trimSlash(settings.serverPath()));
    }
    candidates.add("");
    for (String common : COMMON) {
      candidates.add(common);
    }
    candidates.remove(current);
    for (String candidate : candidates) {
      try {
        if (probe.answersAt(candidate)) {
          return Optional.of(candidate);
        }
      } catch (IOException e) {
        // Not there; try the next one.
      }
    }
    return Optional.empty();
  }

  /** What to change so Laravel and Echo use {@code prefix}. */
  static String fix(String prefix, BroadcastSettings s) {
    if (prefix.isEmpty()) {
      return "the server has no prefix: remove REVERB_SERVER_PATH from .env (and the 'path' option in config/broadcasting.php, wsPath in Echo's options)";
    }
    return "set REVERB_SERVER_PATH="
        + prefix
        + " in .env; add 'path' => env('REVERB_SERVER_PATH', '') to the options of the "
        + s.driverOrDefault()
        + " connection in config/broadcasting.php (the Pusher SDK then sends and signs "
        + prefix
        + "/apps/...); add wsPath: '"
        + prefix
        + "' to Echo's options in resources/js/echo.js";
  }
}
