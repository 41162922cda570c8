package dev.herald.protocoltests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the {@code node:test} suites in {@code protocol-tests/node} (pusher-js, laravel-echo and the
 * {@code pusher} server SDK from npm) against Herald, one suite file per test method: one shared
 * Herald process, and a process of their own for the suites that need other settings (cache TTL,
 * TLS).
 *
 * <p>The suites read the server from {@code HERALD_HOST}, {@code HERALD_PORT}, {@code
 * HERALD_APP_ID}, {@code HERALD_APP_KEY} and {@code HERALD_APP_SECRET}; they can also be run by
 * hand against any server with {@code node --test}. Node modules come from {@code npm ci}, which
 * the module's pom runs in {@code generate-test-resources}.
 */
class NodeInteropTest {

  /** Small, so the pusher-js rate-limit scenario trips it with a short burst. */
  private static final String CLIENT_EVENT_RATE_LIMIT = "5";

  private static final Duration SUITE_TIMEOUT = Duration.ofSeconds(120);
  private static final int SERVER_TAIL_LINES = 80;
  private static final Set<String> SUITES =
      Set.of(
          "echo.test.mjs",
          "pusherjs.test.mjs",
          "sdk.test.mjs",
          "encryption.test.mjs",
          "cache.test.mjs",
          "user.test.mjs",
          "tls.test.mjs",
          "drain.test.mjs",
          "console.test.mjs",
          "demo.test.mjs",
          // Run by NginxProxyTest and CaddyProxyTest, which put a proxy in front of Herald first.
          "proxy.test.mjs",
          // Run by SoketiConfigurationTest, with servers configured by Soketi's variables.
          "soketi.test.mjs");

  /** Short, so the drain suite's pusher-js is handed over quickly. */
  private static final String DRAIN_SECONDS = "1";

  /** At least 16 characters, as the console requires. */
  private static final String CONSOLE_TOKEN = "console-token-" + Unique.name("t");

  /** Short, so the cache suite can check the remaining ttl that {@code info=cache} reports. */
  private static final String CACHE_TTL = "60";

  private static HeraldProcess server;

  @BeforeAll
  static void startServer() {
    server =
        HeraldProcess.withDefaults()
            .env("HERALD_APP_CLIENT_EVENT_RATE_LIMIT", CLIENT_EVENT_RATE_LIMIT)
            .start();
  }

  @AfterAll
  static void stopServer() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void laravelEchoChannelsPresenceWhispersAndToOthersWork() throws Exception {
    runSuite("echo.test.mjs");
  }

  @Test
  void pusherJsConnectsSubscribesAndSeesItsStateThroughTheHttpApi() throws Exception {
    runSuite("pusherjs.test.mjs");
  }

  @Test
  void pusherServerSdkTriggersBatchesAndReadsChannelInfo() throws Exception {
    runSuite("sdk.test.mjs");
  }

  @Test
  void endToEndEncryptedChannelsDecryptInPusherJsAndEchoAndRefuseClientEvents() throws Exception {
    runSuite("encryption.test.mjs");
  }

  @Test
  void cacheChannelsHandNewSubscribersTheLastEventOrACacheMiss() throws Exception {
    try (HeraldProcess cacheServer =
        HeraldProcess.withDefaults().env("HERALD_APP_CACHE_TTL", CACHE_TTL).start()) {
      runSuite("cache.test.mjs", cacheServer, Map.of("HERALD_CACHE_TTL", CACHE_TTL));
    }
  }

  @Test
  void pusherJsSignsInReceivesUserEventsIsTerminatedAndWatchesUsers() throws Exception {
    runSuite("user.test.mjs");
  }

  @Test
  void pusherJsOverWssAndTheSdkOverHttpsTrustTheSelfSignedCertificate(@TempDir Path dir)
      throws Exception {
    Path certificate = dir.resolve("herald-dev-cert.pem");
    try (HeraldProcess tlsServer =
        HeraldProcess.withDefaults()
            .env("HERALD_TLS_SELF_SIGNED_CERT_OUT", certificate.toString())
            .args("--tls-self-signed")
            .tls()
            .start()) {
      assertTrue(
          Files.isRegularFile(certificate) && Files.size(certificate) > 0,
          "the server wrote no certificate to " + certificate);
      // NODE_EXTRA_CA_CERTS is read once at node start-up: the whole process trusts this file.
      runSuite(
          "tls.test.mjs",
          tlsServer,
          Map.of(
              "HERALD_CA_FILE",
              certificate.toString(),
              "NODE_EXTRA_CA_CERTS",
              certificate.toString()));
    }
  }

  @Test
  void pusherJsClosedWith4200ByADrainingServerReconnectsThroughAProxyToAnother() throws Exception {
    try (HeraldProcess a =
            HeraldProcess.withDefaults().env("HERALD_DRAIN_SECONDS", DRAIN_SECONDS).start();
        HeraldProcess b = HeraldProcess.withDefaults().start()) {
      // The suite sends SIGTERM to A itself, at the moment its client is ready for it.
      runSuite(
          "drain.test.mjs",
          a,
          Map.of(
              "HERALD_PORT_A",
              Integer.toString(a.port()),
              "HERALD_PORT_B",
              Integer.toString(b.port()),
              "HERALD_PID_A",
              Long.toString(a.pid())));
      assertEquals(0, a.awaitExit(Duration.ofSeconds(30)), a::output);
    }
  }

  @Test
  void theDebugConsoleInChromiumShowsTrafficAndTriggersEvents() throws Exception {
    requireChromium();
    try (HeraldProcess consoleServer =
        HeraldProcess.withDefaults().env("HERALD_CONSOLE_TOKEN", CONSOLE_TOKEN).start()) {
      runSuite("console.test.mjs", consoleServer, Map.of("HERALD_CONSOLE_TOKEN", CONSOLE_TOKEN));
    }
  }

  @Test
  void theDemoPageInChromiumShowsPresenceTypingOrdersAndNotificationsForTwoUsers()
      throws Exception {
    requireChromium();
    try (HeraldProcess demoServer = HeraldProcess.withDevelopmentApp().args("--dev").start()) {
      runSuite(
          "demo.test.mjs",
          demoServer,
          Map.of(
              "HERALD_APP_ID",
              HeraldProcess.DEV_APP_ID,
              "HERALD_APP_KEY",
              HeraldProcess.DEV_APP_KEY,
              "HERALD_APP_SECRET",
              HeraldProcess.DEV_APP_SECRET));
    }
  }

  @Test
  void everyNodeSuiteFileIsRunByOneOfTheseTests() throws IOException {
    try (Stream<Path> files = Files.list(nodeDir())) {
      Set<String> found =
          files
              .map(path -> path.getFileName().toString())
              .filter(name -> name.endsWith(".test.mjs"))
              .collect(Collectors.toCollection(TreeSet::new));
      assertEquals(new TreeSet<>(SUITES), found, "add a test method for each new .test.mjs file");
    }
  }

  private static void runSuite(String file) throws IOException, InterruptedException {
    runSuite(file, server, Map.of());
  }

  /**
   * Runs one suite file against {@code target}, with {@code extraEnv} added to node's environment
   * (and overriding the target's {@code HERALD_*} there, e.g. a proxy's port).
   */
  static void runSuite(String file, HeraldProcess target, Map<String, String> extraEnv)
      throws IOException, InterruptedException {
    Path dir = nodeDir();
    assertTrue(
        Files.isDirectory(dir.resolve("node_modules")),
        "no node_modules in "
            + dir
            + "; run `npm ci` there (the full tier's build does it, the fast tier's with"
            + " -Dherald.skipNpm=false)");
    Path logs = Files.createDirectories(Path.of("target", "node-logs"));
    Path log = Files.createTempFile(logs, file.replace(".test.mjs", "") + "-", ".log");
    Path tap = Files.createTempFile(logs, file.replace(".test.mjs", "") + "-", ".tap");

    // Spec for people, TAP for the skip check: a skipped describe() counts as no skipped test in
    // node's summary, but its TAP line carries a "# SKIP" directive.
    ProcessBuilder builder =
        new ProcessBuilder(
                List.of(
                    "node",
                    "--test",
                    "--test-reporter=spec",
                    "--test-reporter-destination=stdout",
                    "--test-reporter=tap",
                    "--test-reporter-destination=" + tap.toAbsolutePath(),
                    file))
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    Map<String, String> env = builder.environment();
    env.keySet().removeIf(name -> name.startsWith("HERALD_"));
    env.put("HERALD_HOST", target.host());
    env.put("HERALD_PORT", Integer.toString(target.port()));
    env.put("HERALD_APP_ID", HeraldProcess.APP_ID);
    env.put("HERALD_APP_KEY", HeraldProcess.APP_KEY);
    env.put("HERALD_APP_SECRET", HeraldProcess.APP_SECRET);
    env.put("NO_COLOR", "1");
    if (Prerequisite.requireAll()) {
      env.put("HERALD_REQUIRE_ALL", "true");
    }
    env.putAll(extraEnv);

    Process node = builder.start();
    boolean finished = node.waitFor(SUITE_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    if (!finished) {
      node.descendants().forEach(ProcessHandle::destroyForcibly);
      node.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    String output = Files.readString(log, StandardCharsets.UTF_8);
    System.out.println("---- node --test " + file + " ----\n" + output);
    if (!finished) {
      fail(report(file + " did not finish within " + SUITE_TIMEOUT, output, target));
    }
    if (node.exitValue() != 0) {
      fail(report(file + " exited with " + node.exitValue(), output, target));
    }
    List<String> skipped = skipped(Files.readString(tap, StandardCharsets.UTF_8));
    if (!skipped.isEmpty()) {
      // node --test exits 0 when it skips; JUnit must not call that a pass.
      Prerequisite.unmet(file + " skipped or left to do: " + String.join("; ", skipped));
    }
  }

  /** A TAP test point with a SKIP or TODO directive, at any depth. */
  private static final Pattern SKIP_OR_TODO =
      Pattern.compile("(?im)^\\s*(?:not )?ok \\d+ - (.*?) # (?:SKIP|TODO)\\b\\s*(.*)$");

  /** The test points of a TAP report that were skipped or left to do, with their reasons. */
  static List<String> skipped(String tapReport) {
    List<String> found = new ArrayList<>();
    Matcher matcher = SKIP_OR_TODO.matcher(tapReport);
    while (matcher.find()) {
      found.add(matcher.group(1) + ": " + matcher.group(2));
    }
    return found;
  }

  /**
   * The Chromium the browser suites use ({@code HERALD_CHROMIUM}, as lib/chromium.mjs reads it).
   */
  private static void requireChromium() {
    String chromium = System.getenv().getOrDefault("HERALD_CHROMIUM", "/usr/bin/chromium");
    Prerequisite.require(
        Files.isExecutable(Path.of(chromium)),
        "no Chromium at " + chromium + " for the browser suites",
        "apt-get install chromium, or set HERALD_CHROMIUM");
  }

  private static String report(String headline, String nodeOutput, HeraldProcess target) {
    List<String> serverLines = target.output().lines().collect(Collectors.toList());
    String serverTail =
        String.join(
            "\n",
            serverLines.subList(
                Math.max(0, serverLines.size() - SERVER_TAIL_LINES), serverLines.size()));
    return headline
        + "\n==== node output ====\n"
        + nodeOutput
        + "\n==== server output (last "
        + SERVER_TAIL_LINES
        + " lines, alive="
        + target.isAlive()
        + ") ====\n"
        + serverTail;
  }

  private static Path nodeDir() {
    String dir = System.getProperty("herald.node.dir");
    if (dir == null) {
      fail("system property herald.node.dir is not set (the protocol-tests pom sets it)");
    }
    return Path.of(dir);
  }
}
