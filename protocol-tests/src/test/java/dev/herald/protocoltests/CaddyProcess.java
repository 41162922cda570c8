package dev.herald.protocoltests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A real Caddy running one of the Caddyfiles shipped in {@code config/caddy/} on a free loopback
 * port: {@code caddy run --config FILE --adapter caddyfile}.
 *
 * <p>The shipped file is used as it is except for what a deployment changes anyway: the site
 * address becomes {@code 127.0.0.1:PORT}, the commented {@code tls} line serves the test
 * certificate instead of one from an ACME CA (unreachable here), and the upstream port is Herald's.
 * Global options go in front (no admin API, loopback only, the http port on a free one, storage in
 * DIR), as a machine's own Caddyfile would set them. Each replacement must match exactly once. Not
 * thread-safe.
 */
final class CaddyProcess implements ProxyProcess {

  private final Process process;
  private final Path log;
  private final int port;

  private CaddyProcess(Process process, Path log, int port) {
    this.process = process;
    this.log = log;
    this.port = port;
  }

  /** The caddy executable on PATH or at Debian's path, if there is one. */
  static Optional<Path> binary() {
    return ReverseProxies.binary("caddy", Path.of("/usr/bin/caddy"));
  }

  /**
   * Renders {@code shipped} into {@code dir} and starts Caddy with it.
   *
   * @param siteAddress the shipped site block's address, e.g. {@code ws.example.com}
   * @param heraldPort the port Herald really listens on
   */
  static CaddyProcess start(
      Path shipped,
      Path dir,
      String siteAddress,
      int heraldPort,
      SelfSignedCertificate certificate) {
    Path caddy = binary().orElseThrow(() -> new IllegalStateException("caddy is not installed"));
    try {
      String site = Files.readString(shipped, StandardCharsets.UTF_8);
      int port = Ports.free();
      site =
          ReverseProxies.replaceOnce(
              shipped,
              site,
              "(?m)^" + Pattern.quote(siteAddress) + " \\{",
              match -> "127.0.0.1:" + port + " {");
      site =
          ReverseProxies.replaceOnce(
              shipped,
              site,
              "(?m)^(\\s*)# tls \\S+ \\S+$",
              match ->
                  match.group(1)
                      + "tls "
                      + certificate.certificate()
                      + " "
                      + certificate.privateKey());
      site =
          ReverseProxies.replaceOnce(
              shipped,
              site,
              "reverse_proxy 127\\.0\\.0\\.1:8080",
              match -> "reverse_proxy 127.0.0.1:" + heraldPort);
      String global =
          String.join(
              "\n",
              "{",
              "\tadmin off",
              "\tdefault_bind 127.0.0.1",
              "\thttp_port " + Ports.free(),
              "\tstorage file_system " + dir.resolve("data"),
              "}",
              "",
              "");
      Path config = dir.resolve("Caddyfile");
      Files.writeString(config, global + site, StandardCharsets.UTF_8);

      Path log = dir.resolve("caddy.log");
      ProcessBuilder builder =
          new ProcessBuilder(
                  List.of(
                      caddy.toString(),
                      "run",
                      "--config",
                      config.toString(),
                      "--adapter",
                      "caddyfile"))
              .redirectErrorStream(true)
              .redirectOutput(log.toFile());
      // Caddy keeps its state under the user's home and XDG directories: keep them in DIR.
      Map<String, String> env = builder.environment();
      env.put("HOME", dir.toString());
      env.put("XDG_DATA_HOME", dir.resolve("xdg-data").toString());
      env.put("XDG_CONFIG_HOME", dir.resolve("xdg-config").toString());
      Process process = builder.start();
      CaddyProcess started = new CaddyProcess(process, log, port);
      ReverseProxies.awaitListening("caddy", process, List.of(port), started::logs);
      return started;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The TLS port of the site. */
  @Override
  public int tlsPort() {
    return port;
  }

  /** Caddy's log, for failure messages. */
  @Override
  public String logs() {
    try {
      return Files.exists(log) ? "==== caddy.log ====\n" + Files.readString(log) : "";
    } catch (IOException e) {
      return "(could not read " + log + ": " + e + ")";
    }
  }

  @Override
  public void close() {
    Processes.stop(process);
  }
}
