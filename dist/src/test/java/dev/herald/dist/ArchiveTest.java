package dev.herald.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.pusher.client.Pusher;
import com.pusher.client.PusherOptions;
import com.pusher.client.channel.ChannelEventListener;
import com.pusher.client.channel.PusherEvent;
import com.pusher.client.connection.ConnectionEventListener;
import com.pusher.client.connection.ConnectionState;
import com.pusher.client.connection.ConnectionStateChange;
import dev.herald.protocoltests.Ports;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The self-contained archive, used as someone without a JDK uses it: unpacked with tar, started
 * with {@code bin/herald --env-file .env} on a PATH with no {@code java}, served to the official
 * Java client and checked by {@code bin/herald doctor}.
 */
class ArchiveTest {

  @Test
  void binHeraldPrintsTheVersionWithoutAJavaOnThePath() {
    Map<String, String> env = Installation.environmentWithoutJava();
    for (String dir : env.get("PATH").split(File.pathSeparator)) {
      assertFalse(Files.exists(Path.of(dir, "java")), "a java on the test PATH: " + dir);
    }
    Launched.Result version = launchVersion(env);
    assertEquals(0, version.code(), version.output());
    assertEquals("herald " + Installation.VERSION, version.output().strip());
  }

  /**
   * The rule bin/herald follows: heap (50 %) and Netty's direct memory (25 %) together stay under
   * three quarters of the memory limit, leaving the rest for metaspace, code, thread stacks and GC
   * structures. Without MaxDirectMemorySize the JVM allows as much direct memory as heap.
   */
  @Test
  void heapAndDirectMemoryLeaveAQuarterOfTheMemoryLimit() throws Exception {
    String flags = finalFlags(Map.of());
    long heap = flag(flags, "MaxHeapSize");
    long direct = flag(flags, "MaxDirectMemorySize");
    long limit = memoryLimit();
    System.out.printf(
        "memory limit %d MiB: heap %d MiB + direct %d MiB%n",
        limit >> 20, heap >> 20, direct >> 20);
    assertTrue(
        direct > 0, "MaxDirectMemorySize unset: direct memory may grow as large as the heap");
    assertTrue(heap + direct <= limit * 3 / 4, "heap + direct over 75 % of " + limit);
  }

  /**
   * HERALD_MEMORY_LIMIT sizes the JVM as for a node of that memory: up to 2 GiB the Serial
   * collector with a 32 MiB young generation (what BENCHMARKS.md measured as the least resident
   * memory per connection), G1 above; a value that is not a size is refused before the JVM starts.
   */
  @Test
  void aMemoryLimitGivenInTheEnvironmentSizesHeapAndCollector() throws Exception {
    String small = flagsWithLimit("512m");
    assertEquals(256L << 20, flag(small, "MaxHeapSize"), "half of 512m");
    assertEquals(32L << 20, flag(small, "MaxNewSize"));
    assertTrue(small.matches("(?s).*UseSerialGC\\s+=\\s+true.*"), "Serial up to 2 GiB");
    assertEquals(128L - 32, flag(small, "MaxDirectMemorySize") >> 20, "a quarter less 32 MiB");
    String large = flagsWithLimit("8g");
    assertEquals(4L << 30, flag(large, "MaxHeapSize"), "half of 8g");
    assertTrue(large.matches("(?s).*UseG1GC\\s+=\\s+true.*"), "G1 above 2 GiB");
    for (String wrong : List.of("lots", "4x", "g", "-1g", "64m", "99999999999999g")) {
      Map<String, String> env = new java.util.HashMap<>(Installation.environmentWithoutJava());
      env.put("HERALD_MEMORY_LIMIT", wrong);
      Launched.Result refused = launchVersion(env);
      assertEquals(2, refused.code(), wrong + ": " + refused.output());
      assertTrue(refused.output().contains("HERALD_MEMORY_LIMIT=" + wrong), refused.output());
    }
  }

  /** {@code bin/herald --version} with this environment. */
  private static Launched.Result launchVersion(Map<String, String> env) {
    return Launched.run(
        List.of(Installation.launcher().toString(), "--version"),
        env,
        Installation.home(),
        Duration.ofSeconds(60));
  }

  private static String flagsWithLimit(String limit) throws Exception {
    return finalFlags(Map.of("HERALD_MEMORY_LIMIT", limit));
  }

  /** The JVM's final flags (-XX:+PrintFlagsFinal) when bin/herald runs with this environment. */
  private static String finalFlags(Map<String, String> extra) throws Exception {
    Map<String, String> env = new java.util.HashMap<>(Installation.environmentWithoutJava());
    env.putAll(extra);
    env.put("HERALD_JAVA_OPTS", "-XX:+PrintFlagsFinal");
    Launched.Result flags = launchVersion(env);
    assertEquals(0, flags.code(), flags.output());
    return flags.output();
  }

  private static long flag(String printFlagsFinal, String name) {
    return printFlagsFinal
        .lines()
        .map(String::trim)
        .filter(line -> line.matches("\\S+\\s+" + name + "\\s+=.*"))
        .map(line -> Long.parseLong(line.split("=")[1].trim().split("\\s+")[0]))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + name + " in -XX:+PrintFlagsFinal"));
  }

  /** The cgroup's memory limit, or the machine's memory when it has none (or a larger one). */
  private static long memoryLimit() throws Exception {
    long ram =
        Files.readAllLines(Path.of("/proc/meminfo")).stream()
                .filter(line -> line.startsWith("MemTotal:"))
                .map(line -> Long.parseLong(line.replaceAll("\\D", "")))
                .findFirst()
                .orElseThrow()
            * 1024;
    for (String file :
        List.of("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes")) {
      Path path = Path.of(file);
      if (Files.isReadable(path)) {
        String value = Files.readString(path).trim();
        if (value.matches("\\d+")) {
          return Math.min(ram, Long.parseLong(value));
        }
      }
    }
    return ram;
  }

  @Test
  void theArchiveStaysUnderSixtyMegabytes() throws Exception {
    long bytes = Files.size(Installation.archive());
    System.out.printf("%s: %.1f MB%n", Installation.archive().getFileName(), bytes / 1e6);
    assertTrue(bytes < 60_000_000, bytes + " bytes");
  }

  @Test
  void startsFromALaravelEnvFileAndServesThePusherJavaClient() throws Exception {
    int port = Ports.free();
    Path envFile = Files.createTempFile("laravel-", ".env");
    Files.writeString(
        envFile,
        """
        APP_NAME=Shop
        BROADCAST_CONNECTION=reverb
        REVERB_APP_ID=1001
        REVERB_APP_KEY=archive-key
        REVERB_APP_SECRET=archive-secret
        REVERB_HOST="localhost"
        REVERB_PORT=%d
        REVERB_SCHEME=http
        REVERB_SERVER_HOST=127.0.0.1
        REVERB_SERVER_PORT=%d
        VITE_REVERB_APP_KEY="${REVERB_APP_KEY}"
        """
            .formatted(port, port));
    try (Launched herald =
        Launched.start(
            List.of(Installation.launcher().toString(), "--env-file", envFile.toString()),
            Installation.environmentWithoutJava(),
            Installation.home())) {
      herald.awaitOutput("Herald listening on 127.0.0.1:" + port, Duration.ofSeconds(60));
      assertTrue(
          herald.output().contains("version " + Installation.VERSION),
          "banner:\n" + herald.output());
      // The JVM is the runtime inside the archive, not one of the machine's.
      Path exe = Path.of("/proc", Long.toString(herald.pid()), "exe").toRealPath();
      assertTrue(
          exe.startsWith(Installation.home().toRealPath().resolve("runtime")), exe.toString());

      String channel = "orders." + System.nanoTime();
      PusherOptions options =
          new PusherOptions().setHost("127.0.0.1").setWsPort(port).setUseTLS(false);
      Pusher client = new Pusher("archive-key", options);
      CompletableFuture<Void> connected = new CompletableFuture<>();
      client.connect(
          new ConnectionEventListener() {
            @Override
            public void onConnectionStateChange(ConnectionStateChange change) {
              if (change.getCurrentState() == ConnectionState.CONNECTED) {
                connected.complete(null);
              }
            }

            @Override
            public void onError(String message, String code, Exception e) {
              connected.completeExceptionally(new AssertionError(code + " " + message, e));
            }
          },
          ConnectionState.ALL);
      connected.get(15, TimeUnit.SECONDS);
      CompletableFuture<Void> subscribed = new CompletableFuture<>();
      CompletableFuture<PusherEvent> received = new CompletableFuture<>();
      client.subscribe(
          channel,
          new ChannelEventListener() {
            @Override
            public void onSubscriptionSucceeded(String channelName) {
              subscribed.complete(null);
            }

            @Override
            public void onEvent(PusherEvent event) {
              received.complete(event);
            }
          },
          "OrderShipped");
      subscribed.get(15, TimeUnit.SECONDS);

      com.pusher.rest.Pusher laravel =
          new com.pusher.rest.Pusher("1001", "archive-key", "archive-secret");
      laravel.setHost("127.0.0.1:" + port);
      try {
        assertEquals(
            200,
            laravel.trigger(channel, "OrderShipped", Map.of("id", 1042)).getHttpStatus(),
            "trigger");
      } finally {
        laravel.close();
      }
      PusherEvent event = received.get(15, TimeUnit.SECONDS);
      assertEquals("{\"id\":1042}", event.getData());
      client.disconnect();

      HttpResponse<String> metrics =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertTrue(
          metrics
              .body()
              .lines()
              .anyMatch(
                  line ->
                      line.startsWith("herald_build_info{")
                          && line.contains("version=\"" + Installation.VERSION + "\"")
                          && line.endsWith(" 1")),
          "no herald_build_info in:\n" + metrics.body());

      // The doctor is a module of its own that the jar bundles: bin/herald doctor runs it on the
      // archive's runtime, every step against the server above.
      Path doctorEnv = Files.createTempFile("laravel-doctor-", ".env");
      try {
        Files.writeString(
            doctorEnv,
            """
            APP_URL=http://shop.test
            BROADCAST_CONNECTION=reverb
            REVERB_APP_ID=1001
            REVERB_APP_KEY=archive-key
            REVERB_APP_SECRET=archive-secret
            REVERB_HOST="127.0.0.1"
            REVERB_PORT=%d
            REVERB_SCHEME=http
            VITE_REVERB_APP_KEY="${REVERB_APP_KEY}"
            VITE_REVERB_HOST="${REVERB_HOST}"
            VITE_REVERB_PORT="${REVERB_PORT}"
            VITE_REVERB_SCHEME="${REVERB_SCHEME}"
            """
                .formatted(port));
        Launched.Result doctor =
            Launched.run(
                List.of(
                    Installation.launcher().toString(),
                    "doctor",
                    "--env-file",
                    doctorEnv.toString()),
                Installation.environmentWithoutJava(),
                Installation.home(),
                Duration.ofSeconds(60));
        assertEquals(0, doctor.code(), doctor.output());
        assertTrue(doctor.output().contains("All checks passed."), doctor.output());
      } finally {
        Files.deleteIfExists(doctorEnv);
      }
    } finally {
      Files.deleteIfExists(envFile);
    }
  }
}
