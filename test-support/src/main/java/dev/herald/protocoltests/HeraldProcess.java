package dev.herald.protocoltests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The packaged Herald jar running as a separate process on a free loopback port.
 *
 * <p>Configured the way a user configures it: through the {@code REVERB_*} / {@code HERALD_*}
 * environment (and optionally command-line flags). {@link #start()} returns once {@code GET /up}
 * answers 200 and the start banner is in the log. The process output goes to a log file under
 * {@code target/} whose tail is shown when start-up fails. Not thread-safe; one instance per test
 * class is the intended use.
 *
 * <p>Held in a static {@code @RegisterExtension} field, unstarted, it is started before the first
 * test of the class declaring it and closed after that class's last test; its {@code @Nested}
 * classes inherit the extension and share the running server.
 */
public final class HeraldProcess implements AutoCloseable, BeforeAllCallback, AfterAllCallback {

  public static final String APP_ID = "1001";
  public static final String APP_KEY = "herald-test-key";
  public static final String APP_SECRET = "herald-test-secret";

  private final Map<String, String> env = new LinkedHashMap<>();

  /** The variable the chosen port is passed in, or null when the caller's file names the port. */
  private String portVariable = "REVERB_SERVER_PORT";

  /** The port the caller's configuration file gives, when there is no {@link #portVariable}. */
  private int configuredPort;

  private final List<String> args = new ArrayList<>();
  private Process process;
  private Path log;
  private int port;
  private boolean tls;
  private boolean stallOutput;

  /** The unique id of the test class that started this process as an extension, else null. */
  private String startedFor;

  private HeraldProcess() {
    env.put("REVERB_SERVER_HOST", "127.0.0.1");
    env.put("REVERB_APP_ID", APP_ID);
    env.put("REVERB_APP_KEY", APP_KEY);
    env.put("REVERB_APP_SECRET", APP_SECRET);
  }

  /**
   * A server with the default test app ({@link #APP_ID}, {@link #APP_KEY}, {@link #APP_SECRET}).
   */
  public static HeraldProcess withDefaults() {
    return new HeraldProcess();
  }

  /**
   * The built-in development app, served when no app is configured (and the only one --dev serves).
   */
  public static final String DEV_APP_ID = "herald";

  public static final String DEV_APP_KEY = "herald-key";
  public static final String DEV_APP_SECRET = "herald-secret";

  /** The start of the banner Herald prints once it is serving. */
  private static final String BANNER = "Herald listening on ";

  /** A server with no app configured, which therefore serves the development app. */
  public static HeraldProcess withDevelopmentApp() {
    HeraldProcess process = new HeraldProcess();
    process.env.remove("REVERB_APP_ID");
    process.env.remove("REVERB_APP_KEY");
    process.env.remove("REVERB_APP_SECRET");
    return process;
  }

  /**
   * A server given none of the test defaults: no app, no host, no port variable. The caller
   * configures it all, e.g. with Soketi's variables, passing the free port it is given in {@code
   * portVariable}, or names the port in its config file and calls {@link #port(int)}.
   */
  public static HeraldProcess withoutConfiguration(String portVariable) {
    HeraldProcess process = withDevelopmentApp();
    process.env.remove("REVERB_SERVER_HOST");
    process.portVariable = portVariable;
    return process;
  }

  /** The port the caller's own configuration (a file) makes the server listen on. */
  public HeraldProcess port(int port) {
    this.configuredPort = port;
    return this;
  }

  /** Sets (or, with a null value, removes) one environment variable of the server process. */
  public HeraldProcess env(String name, String value) {
    if (value == null) {
      env.remove(name);
    } else {
      env.put(name, value);
    }
    return this;
  }

  /** Adds command-line arguments, e.g. {@code --config path}. */
  public HeraldProcess args(String... more) {
    args.addAll(List.of(more));
    return this;
  }

  /**
   * The server is started with TLS (certificate flags or env set by the caller): the base URLs use
   * {@code https://} and {@code wss://}, and the readiness probe trusts any certificate (the probe
   * only; clients of a test choose their own trust).
   */
  public HeraldProcess tls() {
    this.tls = true;
    return this;
  }

  /**
   * The server's output goes to a pipe that is read only until the start banner, then never again,
   * as when a log collector stalls: once the pipe's buffer (64 KiB on Linux) is full, any write to
   * standard output blocks. {@link #output()} shows what was read up to the banner.
   */
  public HeraldProcess stallOutputAfterStart() {
    this.stallOutput = true;
    return this;
  }

  public HeraldProcess start() {
    launch();
    awaitUp(Duration.ofSeconds(30));
    return this;
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    if (startedFor == null) {
      startedFor = context.getUniqueId();
      start();
    }
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (context.getUniqueId().equals(startedFor)) {
      startedFor = null;
      close();
    }
  }

  /** Result of a run that was expected to end by itself. */
  public record Exit(int code, String output) {}

  /** Starts the server expecting it to refuse its configuration and exit. */
  public Exit runExpectingExit() {
    launch();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        close();
        throw new IllegalStateException("Herald kept running:\n" + output());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    return new Exit(process.exitValue(), output());
  }

  /**
   * With {@code -Dherald.scaling=redis} every server a test starts (unless the test chose its own
   * scaling) runs in cluster mode on one redis-server shared by the test JVM, under a prefix of its
   * own: the same protocol tests then check the Redis adapter, directory, cache and online users.
   */
  private static RedisServer sharedRedis;

  private static synchronized String sharedRedisUrl() {
    if (sharedRedis == null) {
      sharedRedis = RedisServer.start();
      Runtime.getRuntime().addShutdownHook(new Thread(sharedRedis::close, "shared-redis-stop"));
    }
    return sharedRedis.url();
  }

  /**
   * With {@code -Dherald.scaling=redis-cluster}, the same on a Redis Cluster (three masters, three
   * replicas) shared by the test JVM: the suites then also check that every script and command
   * works when keys live on cluster nodes.
   */
  private static RedisClusterSet sharedCluster;

  private static synchronized String sharedClusterSeeds() {
    if (sharedCluster == null) {
      try {
        Path dir =
            java.nio.file.Files.createTempDirectory(
                java.nio.file.Files.createDirectories(Path.of("target", "redis-data")),
                "shared-cluster-");
        sharedCluster = RedisClusterSet.start(dir);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      Runtime.getRuntime().addShutdownHook(new Thread(sharedCluster::close, "shared-cluster-stop"));
    }
    return sharedCluster.seeds();
  }

  private void applyScalingMode() {
    String mode = System.getProperty("herald.scaling");
    if (("redis".equals(mode) || "redis-cluster".equals(mode))
        && !env.containsKey("HERALD_SCALING")
        && !env.containsKey("REDIS_URL")
        && !env.containsKey("SOKETI_ADAPTER_DRIVER")) {
      RedisServer.require();
      env.put("HERALD_SCALING", "redis");
      if ("redis".equals(mode)) {
        env.put("REDIS_URL", sharedRedisUrl());
      } else {
        RedisCli.require();
        env.put("HERALD_REDIS_CLUSTER_NODES", sharedClusterSeeds());
      }
      env.put("HERALD_REDIS_PREFIX", "test-" + java.util.UUID.randomUUID() + ":");
    }
  }

  private void launch() {
    applyScalingMode();
    if (portVariable == null) {
      port = configuredPort;
    } else {
      String explicitPort = env.get(portVariable);
      port = explicitPort != null ? Integer.parseInt(explicitPort) : freePort();
      env.put(portVariable, Integer.toString(port));
    }
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx256m");
    command.add("-jar");
    command.add(jar().toString());
    command.addAll(args);
    try {
      Path dir = Files.createDirectories(Path.of("target", "herald-logs"));
      log = Files.createTempFile(dir, "herald-" + port + "-", ".log");
      ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
      if (!stallOutput) {
        builder.redirectOutput(log.toFile());
      }
      builder
          .environment()
          .keySet()
          .removeIf(
              k ->
                  k.startsWith("REVERB_")
                      || k.startsWith("HERALD_")
                      || k.startsWith("PUSHER_")
                      || k.startsWith("SOKETI_"));
      builder.environment().putAll(env);
      process = builder.start();
      if (stallOutput) {
        copyUntilBanner(process.getInputStream(), log);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Copies the output to the log until the banner's first line is complete, then stops reading. */
  private static void copyUntilBanner(java.io.InputStream output, Path log) {
    Thread copier =
        new Thread(
            () -> {
              StringBuilder seen = new StringBuilder();
              try (var out = Files.newOutputStream(log)) {
                int b;
                while ((b = output.read()) != -1) {
                  out.write(b);
                  out.flush();
                  seen.append((char) b);
                  int banner = seen.indexOf(BANNER);
                  if (banner >= 0 && seen.indexOf("\n", banner) > 0) {
                    return;
                  }
                }
              } catch (IOException e) {
                // The process ended; what was read is in the log.
              }
            },
            "herald-output-until-banner");
    copier.setDaemon(true);
    copier.start();
  }

  public int port() {
    return port;
  }

  public String host() {
    return "127.0.0.1";
  }

  public String httpBase() {
    return (tls ? "https" : "http") + "://127.0.0.1:" + port;
  }

  /** {@code ws://host:port}, without the mount prefix. */
  public String wsBase() {
    return (tls ? "wss" : "ws") + "://127.0.0.1:" + port;
  }

  /** The configured mount prefix ({@code REVERB_SERVER_PATH}), "" when none. */
  public String path() {
    String path = env.getOrDefault("REVERB_SERVER_PATH", "");
    return path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
  }

  /** The base URL of the HTTP API, including the mount prefix: {@code http://host:port/ws}. */
  public String apiBase() {
    return httpBase() + path();
  }

  /** A raw signed-request client for the default app. */
  public ApiClient api() {
    return new ApiClient(apiBase(), path(), APP_ID, APP_KEY, APP_SECRET);
  }

  /** A raw signed-request client for another app served by this process. */
  public ApiClient api(String appId, String appKey, String appSecret) {
    return new ApiClient(apiBase(), path(), appId, appKey, appSecret);
  }

  /** The WebSocket URL pusher-js would use for the given key, with protocol 7. */
  public String wsUrl(String key) {
    return wsUrlWithQuery(key, "protocol=7&client=js&version=8.4.0&flash=false");
  }

  /** The WebSocket URL for the given key with an arbitrary query string (none when empty). */
  public String wsUrlWithQuery(String key, String query) {
    return wsBase() + path() + "/app/" + key + (query.isEmpty() ? "" : "?" + query);
  }

  public String wsUrl() {
    return wsUrl(APP_KEY);
  }

  /** A WebSocket client of the default app, past {@code pusher:connection_established}. */
  public RawClient open() {
    return RawClient.open(wsUrl());
  }

  /** Everything the process has printed so far. */
  public String output() {
    try {
      return log == null ? "" : Files.readString(log, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(could not read " + log + ": " + e + ")";
    }
  }

  public boolean isAlive() {
    return process != null && process.isAlive();
  }

  private void awaitUp(Duration timeout) {
    Processes.awaitReady("Herald", process, timeout, "answer /up", this::isUp, this::output);
  }

  /**
   * Whether {@code /up} answers 200 and the start banner is in the log. With a mount prefix the
   * health check may live under it or at the root; either will do.
   */
  private boolean isUp() {
    for (String up : path().isEmpty() ? List.of("/up") : List.of("/up", path() + "/up")) {
      try {
        HttpURLConnection connection =
            (HttpURLConnection) URI.create(httpBase() + up).toURL().openConnection();
        if (connection instanceof HttpsURLConnection https) {
          https.setSSLSocketFactory(TrustAll.CONTEXT.getSocketFactory());
          https.setHostnameVerifier((host, session) -> true);
        }
        connection.setConnectTimeout(500);
        connection.setReadTimeout(500);
        // The banner is printed (in one write) just after the server starts listening, so
        // /up can answer before it is in the log; tests read the banner, so wait for it too.
        if (connection.getResponseCode() == 200 && output().contains(BANNER)) {
          return true;
        }
      } catch (IOException notYetListening) {
        // The server is still starting; awaitReady notices a failed start.
      }
    }
    return false;
  }

  /**
   * Kills the process with SIGKILL, as a crash would (no shutdown hooks, nothing flushed), and
   * waits for it to end.
   */
  public void kill() {
    if (process == null) {
      return;
    }
    try {
      if (!process.destroyForcibly().waitFor(10, TimeUnit.SECONDS)) {
        throw new IllegalStateException("Herald survived SIGKILL for 10 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Sends SIGTERM (what {@link Process#destroy()} does on Linux), as an orchestrator stopping the
   * server would, and returns at once without waiting for the process to end.
   */
  public void terminate() {
    if (process != null) {
      process.destroy();
    }
  }

  /**
   * Waits for the process to end by itself and returns its exit code; fails (after killing it) when
   * it is still running after {@code timeout}.
   */
  public int awaitExit(Duration timeout) {
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        kill();
        throw new AssertionError("Herald still running " + timeout + " later:\n" + output());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
    return process.exitValue();
  }

  /** The operating-system process id, e.g. for a test that signals the server itself. */
  public long pid() {
    return process.pid();
  }

  @Override
  public void close() {
    if (process != null) {
      Processes.stop(process);
    }
  }

  public static Path jar() {
    Path jar = Path.of(System.getProperty("herald.jar", "../server/target/herald.jar"));
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(
          "Herald jar not found at " + jar.toAbsolutePath() + "; build the server module first");
    }
    return jar;
  }

  /** An SSL context trusting every certificate: for the readiness probe of {@link #tls()} only. */
  private static final class TrustAll {
    static final SSLContext CONTEXT = create();

    private static SSLContext create() {
      X509TrustManager trustAll =
          new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {}

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {}

            @Override
            public X509Certificate[] getAcceptedIssuers() {
              return new X509Certificate[0];
            }
          };
      try {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new TrustManager[] {trustAll}, new SecureRandom());
        return context;
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  /** {@link Ports#free()}, for the tests that ask here. */
  public static int freePort() {
    return Ports.free();
  }
}
