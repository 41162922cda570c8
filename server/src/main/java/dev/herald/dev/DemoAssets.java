package dev.herald.dev;

import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The demo page's files (copied from {@code examples/} into the jar under {@code demo/} at build
 * time), read once into memory. Only the files named here are served, so no request path ever
 * reaches the class path or the file system. Immutable; thread-safe.
 */
final class DemoAssets {

  /** One file: its bytes and its content type. */
  record Asset(Buffer bytes, String contentType) {}

  private static final Map<String, String> FILES = files();

  private static Map<String, String> files() {
    Map<String, String> files = new LinkedHashMap<>();
    files.put("index.html", "text/html; charset=utf-8");
    files.put("demo.js", "text/javascript; charset=utf-8");
    files.put("demo.css", "text/css; charset=utf-8");
    files.put("vendor/pusher-js/pusher.min.js", "text/javascript; charset=utf-8");
    files.put("vendor/laravel-echo/echo.iife.js", "text/javascript; charset=utf-8");
    return files;
  }

  private final Map<String, Asset> assets;

  private DemoAssets(Map<String, Asset> assets) {
    this.assets = Map.copyOf(assets);
  }

  /**
   * Reads every file from the class path.
   *
   * @throws IllegalStateException naming the first missing file (a jar built without {@code
   *     examples/})
   */
  static DemoAssets load() {
    Map<String, Asset> assets = new LinkedHashMap<>();
    FILES.forEach(
        (name, contentType) -> {
          try (InputStream in = DemoAssets.class.getResourceAsStream("/demo/" + name)) {
            if (in == null) {
              throw new IllegalStateException(
                  "the demo file demo/"
                      + name
                      + " is not in the jar; build it from the repository root, which has"
                      + " examples/");
            }
            assets.put(name, new Asset(Buffer.buffer(in.readAllBytes()), contentType));
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
    return new DemoAssets(assets);
  }

  /** The file at this path below the demo's root, or null for any other path. */
  Asset get(String path) {
    return assets.get(path);
  }
}
