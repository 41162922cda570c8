package dev.herald.protocoltests;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throw-away {@code redis-server} on a free loopback port, without persistence. Not thread-safe;
 * one instance per test class.
 */
public final class RedisServer implements AutoCloseable {

  private final int port;
  private final List<String> extra;
  private Process process;
  private Path log;

  private RedisServer(Process process, int port, Path log, List<String> extra) {
    this.process = process;
    this.port = port;
    this.log = log;
    this.extra = extra;
  }

  /** Whether a {@code redis-server} binary can be run on this machine. */
  public static boolean available() {
    return answersVersion("redis-server");
  }

  /**
   * Whether {@code program --version} runs and exits 0 within 10 s: the probe for the Redis tools
   * (redis-server, redis-cli) the tests start.
   */
  static boolean answersVersion(String program) {
    try {
      Process probe = new ProcessBuilder(program, "--version").redirectErrorStream(true).start();
      probe.getInputStream().readAllBytes();
      return probe.waitFor(10, TimeUnit.SECONDS) && probe.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /**
   * Skips (fast tier) or fails (full tier) the calling test when {@code redis-server} cannot be
   * run: the scaling, outage and durable-webhook tests and the Redis pass of the protocol suites
   * need it.
   */
  public static void require() {
    Prerequisite.require(
        available(),
        "redis-server is not installed or not on PATH",
        "apt-get install redis-server");
  }

  /** Starts a server and returns once it answers PING. */
  public static RedisServer start() {
    return start(List.of());
  }

  /**
   * Starts a server with these extra {@code redis-server} arguments (after the port and the
   * no-persistence ones) and returns once it answers PING on its plain port.
   */
  public static RedisServer start(List<String> extra) {
    int port = Ports.free();
    Path log = newLog(port);
    RedisServer server = new RedisServer(launch(port, log, extra), port, log, List.copyOf(extra));
    server.awaitPong(Duration.ofSeconds(10));
    return server;
  }

  /** The TLS port of a server started with {@code --tls-port} among its extra arguments. */
  public int tlsPort() {
    int at = extra.indexOf("--tls-port");
    if (at < 0) {
      throw new IllegalStateException("not started with TLS");
    }
    return Integer.parseInt(extra.get(at + 1));
  }

  /** Whether the process runs (not killed or stopped). */
  public boolean isRunning() {
    return process.isAlive();
  }

  /** Stops the server: connections to its port are refused until {@link #restart()}. */
  public void stop() {
    close();
  }

  /** Kills the server with SIGKILL, as a crash would; {@link #restart()} brings a new one up. */
  public void kill() {
    try {
      if (!process.destroyForcibly().waitFor(10, TimeUnit.SECONDS)) {
        throw new IllegalStateException("redis-server survived SIGKILL for 10 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * Freezes the server (SIGSTOP): its connections stay open and it answers nothing, as behind a
   * silent partition. {@link #thaw()} lets it go on where it stopped, with its state.
   */
  public void freeze() {
    ProcessSignals.stop(process.pid());
  }

  /** Lets a {@link #freeze() frozen} server run again. */
  public void thaw() {
    ProcessSignals.resume(process.pid());
  }

  /** Starts a new, empty server on the same port after {@link #stop()} or {@link #kill()}. */
  public void restart() {
    log = newLog(port);
    process = launch(port, log, extra);
    awaitPong(Duration.ofSeconds(10));
  }

  private static Process launch(int port, Path log, List<String> extra) {
    List<String> command =
        new ArrayList<>(
            List.of(
                "redis-server",
                "--port",
                Integer.toString(port),
                "--save",
                "",
                "--appendonly",
                "no",
                "--bind",
                "127.0.0.1",
                // A directory of its own: a replica's full sync writes dump.rdb there, which a
                // server started later in a shared directory would load.
                "--dir",
                dataDir(port).toString()));
    command.addAll(extra);
    try {
      return new ProcessBuilder(command)
          .redirectErrorStream(true)
          .redirectOutput(log.toFile())
          .start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Path dataDir(int port) {
    try {
      Path dir = Files.createDirectories(Path.of("target", "redis-data"));
      return Files.createTempDirectory(dir, "redis-" + port + "-").toAbsolutePath();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Path newLog(int port) {
    try {
      Path dir = Files.createDirectories(Path.of("target", "redis-logs"));
      return Files.createTempFile(dir, "redis-" + port + "-", ".log");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public int port() {
    return port;
  }

  /** The URL Herald takes in {@code REDIS_URL}. */
  public String url() {
    return "redis://127.0.0.1:" + port;
  }

  private void awaitPong(Duration timeout) {
    Processes.awaitReady(
        "redis-server", process, timeout, "answer PING", this::pongs, this::output);
  }

  private boolean pongs() {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
      socket.setSoTimeout(1000);
      socket.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
      InputStream in = socket.getInputStream();
      byte[] reply = new byte[7];
      int read = in.readNBytes(reply, 0, reply.length);
      return new String(reply, 0, read, StandardCharsets.US_ASCII).equals("+PONG\r\n");
    } catch (IOException notYetListening) {
      return false;
    }
  }

  private String output() {
    try {
      return Files.readString(log, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(could not read " + log + ")";
    }
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      thaw(); // a frozen server would ignore SIGTERM until then
    }
    Processes.stop(process);
  }
}
