package dev.herald.protocoltests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real nginx running one of the site files shipped in {@code config/nginx/}, on free loopback
 * ports, in the foreground and without root: {@code nginx -p DIR -c DIR/nginx.conf -g 'daemon off;
 * master_process off;'}.
 *
 * <p>The shipped file is used as it is except for the lines a deployment changes anyway: the {@code
 * listen} ports, the upstream's port and the certificate paths. Each replacement must match exactly
 * once, so a shipped file that drifts from this test fails here rather than being tested half. The
 * file goes inside a minimal {@code http { }} of this class's own, which plays Debian's {@code
 * /etc/nginx/nginx.conf} (pid, logs and temp paths in DIR). Not thread-safe.
 */
final class NginxProcess implements ProxyProcess {

  /** Where Debian installs nginx; not on a non-root user's PATH. */
  private static final Path DEBIAN_NGINX = Path.of("/usr/sbin/nginx");

  private final Process process;
  private final Path dir;
  private final String renderedSite;
  private final Map<String, Integer> ports;

  private NginxProcess(Process process, Path dir, String renderedSite, Map<String, Integer> ports) {
    this.process = process;
    this.dir = dir;
    this.renderedSite = renderedSite;
    this.ports = ports;
  }

  /** The nginx executable on PATH or at Debian's path, if there is one. */
  static Optional<Path> binary() {
    return ReverseProxies.binary("nginx", DEBIAN_NGINX);
  }

  /**
   * Renders {@code shippedSite} into {@code dir} and starts nginx with it.
   *
   * @param listens each {@code listen} directive of the shipped file (e.g. {@code "listen 443
   *     ssl;"}) under a name; each gets a free loopback port, read back with {@link #port}
   * @param upstream the shipped upstream line (e.g. {@code "server 127.0.0.1:8080;"})
   * @param heraldPort the port Herald really listens on
   * @param certificate the self-signed certificate and key to serve instead of the shipped paths
   */
  static NginxProcess start(
      Path shippedSite,
      Path dir,
      Map<String, String> listens,
      String upstream,
      int heraldPort,
      SelfSignedCertificate certificate) {
    Path nginx = binary().orElseThrow(() -> new IllegalStateException("nginx is not installed"));
    try {
      String site = Files.readString(shippedSite, StandardCharsets.UTF_8);
      Map<String, Integer> ports = new LinkedHashMap<>();
      for (Map.Entry<String, String> listen : listens.entrySet()) {
        int port = Ports.free();
        ports.put(listen.getKey(), port);
        site =
            ReverseProxies.replaceOnce(
                shippedSite,
                site,
                Pattern.quote(listen.getValue()),
                match -> match.group().replaceFirst("listen [^\\s;]+", "listen 127.0.0.1:" + port));
      }
      site =
          ReverseProxies.replaceOnce(
              shippedSite,
              site,
              Pattern.quote(upstream),
              match -> match.group().replaceFirst(":\\d+;", ":" + heraldPort + ";"));
      site =
          ReverseProxies.replaceOnce(
              shippedSite,
              site,
              "(?m)^(\\s*)ssl_certificate\\s+\\S+;",
              match -> match.group(1) + "ssl_certificate " + certificate.certificate() + ";");
      site =
          ReverseProxies.replaceOnce(
              shippedSite,
              site,
              "(?m)^(\\s*)ssl_certificate_key\\s+\\S+;",
              match -> match.group(1) + "ssl_certificate_key " + certificate.privateKey() + ";");
      Path sitePath = dir.resolve("site.conf");
      Files.writeString(sitePath, site, StandardCharsets.UTF_8);
      Path conf = dir.resolve("nginx.conf");
      Files.writeString(conf, mainConfig(dir, sitePath), StandardCharsets.UTF_8);

      List<String> command =
          List.of(
              nginx.toString(),
              "-p",
              dir.toString(),
              "-c",
              conf.toString(),
              "-g",
              // In the foreground, as one process running as the current user (no privilege drop
              // to a worker user that could not read a temp directory).
              "daemon off; master_process off;");
      Path log = dir.resolve("nginx.out");
      Process process =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      NginxProcess started = new NginxProcess(process, dir, site, ports);
      ReverseProxies.awaitListening("nginx", process, ports.values(), started::logs);
      return started;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The loopback port given to the {@code listen} directive named {@code name}. */
  int port(String name) {
    Integer port = ports.get(name);
    if (port == null) {
      throw new IllegalArgumentException("no listen directive named " + name);
    }
    return port;
  }

  /** The port of the {@code listen} directive named {@code https}, as tests name the TLS one. */
  @Override
  public int tlsPort() {
    return port("https");
  }

  /** The site file exactly as nginx runs it. */
  String renderedSite() {
    return renderedSite;
  }

  /**
   * The values of every {@code directive} in the rendered site, in file order (e.g. {@code
   * proxy_read_timeout} → {@code ["300s"]}). Comments are skipped.
   */
  List<String> directiveValues(String directive) {
    List<String> values = new ArrayList<>();
    Matcher matcher =
        Pattern.compile("(?m)^[ \\t]*" + Pattern.quote(directive) + "\\s+([^;#]+);")
            .matcher(renderedSite);
    while (matcher.find()) {
      values.add(matcher.group(1).trim());
    }
    return values;
  }

  /** nginx's error log and console output, for failure messages. */
  @Override
  public String logs() {
    StringBuilder logs = new StringBuilder();
    for (String name : List.of("nginx.out", "error.log")) {
      Path file = dir.resolve(name);
      try {
        if (Files.exists(file)) {
          logs.append("==== ").append(name).append(" ====\n").append(Files.readString(file));
        }
      } catch (IOException e) {
        logs.append("(could not read ").append(file).append(": ").append(e).append(")\n");
      }
    }
    return logs.toString();
  }

  @Override
  public void close() {
    Processes.stop(process);
  }

  /**
   * What Debian's nginx.conf provides around sites-enabled/, with every path inside {@code dir}.
   */
  private static String mainConfig(Path dir, Path site) {
    return String.join(
        "\n",
        "pid " + dir.resolve("nginx.pid") + ";",
        "error_log " + dir.resolve("error.log") + " info;",
        "events {}",
        "http {",
        "    access_log " + dir.resolve("access.log") + ";",
        "    client_body_temp_path " + dir.resolve("client_body") + ";",
        "    proxy_temp_path " + dir.resolve("proxy") + ";",
        "    fastcgi_temp_path " + dir.resolve("fastcgi") + ";",
        "    uwsgi_temp_path " + dir.resolve("uwsgi") + ";",
        "    scgi_temp_path " + dir.resolve("scgi") + ";",
        "    include " + site + ";",
        "}",
        "");
  }
}
