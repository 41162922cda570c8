package dev.herald.runtime;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The URL of this process's {@code /up}, as a local probe reaches it, written to a file once Herald
 * serves ({@code --health-url-file}). A container health check runs in the container but outside
 * Herald: it cannot know the port, the path prefix or whether TLS is on when those come from a
 * mounted {@code .env} or config file, and starting a JVM to read the configuration every few
 * seconds costs more than the check. With the file it is {@code curl -fsk "$(cat FILE)"}.
 * Stateless.
 */
public final class HealthUrlFile {
  private HealthUrlFile() {}

  /**
   * The URL: the listen address, or loopback for a wildcard one; the mount prefix; https with TLS.
   */
  public static String url(String host, int port, String path, boolean tls) {
    String reachable =
        switch (host) {
          case "0.0.0.0", "" -> "127.0.0.1";
          case "::", "[::]", "::0" -> "[::1]";
          default -> host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
        };
    return (tls ? "https" : "http") + "://" + reachable + ":" + port + path + "/up";
  }

  /**
   * Writes {@code url} to {@code file} through a temporary file and a rename, so a probe never
   * reads half a URL.
   */
  public static void write(Path file, String url) throws IOException {
    Path absolute = file.toAbsolutePath();
    Path temporary =
        Files.createTempFile(absolute.getParent(), absolute.getFileName().toString(), ".tmp");
    Files.writeString(temporary, url + "\n", StandardCharsets.UTF_8);
    Files.move(
        temporary, absolute, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
