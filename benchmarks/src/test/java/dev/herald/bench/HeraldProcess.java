package dev.herald.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The packaged Herald jar on a free loopback port, configured through the {@code REVERB_*}
 * environment (a trimmed copy of protocol-tests' class of the same name, so that this module does
 * not depend on that one). {@link #start()} returns once {@code GET /up} answers 200.
 */
final class HeraldProcess implements AutoCloseable {

  static final String APP_ID = "1001";
  static final String APP_KEY = "bench-key";
  static final String APP_SECRET = "bench-secret";

  private final Map<String, String> env = new LinkedHashMap<>();
  private Process process;
  private Path log;
  private int port;

  HeraldProcess() {
    env.put("REVERB_SERVER_HOST", "0.0.0.0");
    env.put("REVERB_APP_ID", APP_ID);
    env.put("REVERB_APP_KEY", APP_KEY);
    env.put("REVERB_APP_SECRET", APP_SECRET);
  }

  HeraldProcess env(String name, String value) {
    env.put(name, value);
    return this;
  }

  HeraldProcess start() {
    port = freePort();
    env.put("REVERB_SERVER_PORT", Integer.toString(port));
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx256m");
    command.add("-jar");
    try {
      Path dir = Files.createDirectories(Path.of("target", "herald-logs"));
      // A private copy: the server module may be rebuilt while the test runs.
      Path copy = dir.resolve("herald-" + port + ".jar");
      Files.copy(jar(), copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      copy.toFile().deleteOnExit();
      command.add(copy.toString());
      log = Files.createTempFile(dir, "herald-" + port + "-", ".log");
      ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
      builder.redirectOutput(log.toFile());
      builder
          .environment()
          .keySet()
          .removeIf(
              k -> k.startsWith("REVERB_") || k.startsWith("HERALD_") || k.startsWith("PUSHER_"));
      builder.environment().putAll(env);
      process = builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    awaitUp(Duration.ofSeconds(30));
    return this;
  }

  int port() {
    return port;
  }

  long pid() {
    return process.pid();
  }

  String output() {
    try {
      return log == null ? "" : Files.readString(log, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(could not read " + log + ": " + e + ")";
    }
  }

  private void awaitUp(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "Herald exited with " + process.exitValue() + " during start-up:\n" + output());
      }
      try {
        HttpURLConnection connection =
            (HttpURLConnection)
                URI.create("http://127.0.0.1:" + port + "/up").toURL().openConnection();
        connection.setConnectTimeout(500);
        connection.setReadTimeout(500);
        if (connection.getResponseCode() == 200) {
          return;
        }
      } catch (IOException notYetListening) {
        // still starting
      }
      try {
        process.waitFor(50, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    close();
    throw new IllegalStateException(
        "Herald did not answer /up within " + timeout + ":\n" + output());
  }

  @Override
  public void close() {
    if (process == null) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(15, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static Path jar() {
    Path jar = Path.of(System.getProperty("herald.jar", "../server/target/herald.jar"));
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(
          "Herald jar not found at " + jar.toAbsolutePath() + "; build the server module first");
    }
    return jar;
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
