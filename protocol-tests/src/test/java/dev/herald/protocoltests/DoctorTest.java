package dev.herald.protocoltests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code java -jar herald.jar doctor}: each misconfiguration is set up for real (a Herald process
 * on another port, with TLS, under a prefix, with allowed origins; a proxy that drops the upgrade
 * headers; a process clock an hour behind), and the doctor, run as its own process on a Laravel
 * {@code .env}, must name the failing step, the cause and the fix, and exit non-zero. The all-good
 * cases exit 0.
 */
class DoctorTest {

  @RegisterExtension static final HeraldProcess plain = HeraldProcess.withDefaults();
  private static HeraldProcess selfSigned;
  private static Path selfSignedCert;

  @TempDir Path dir;

  @AfterAll
  static void stopSelfSignedServer() {
    if (selfSigned != null) {
      selfSigned.close();
    }
  }

  /** One server with Herald's development certificate, shared by the tests that need it. */
  private static synchronized HeraldProcess selfSigned() {
    if (selfSigned == null) {
      try {
        Path certs = Files.createDirectories(Path.of("target", "doctor-certs"));
        selfSignedCert = Files.createTempFile(certs, "herald-dev-", ".pem");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      selfSigned =
          HeraldProcess.withDefaults()
              .env("HERALD_TLS_SELF_SIGNED_CERT_OUT", selfSignedCert.toString())
              .args("--tls-self-signed")
              .tls()
              .start();
    }
    return selfSigned;
  }

  @Test
  void allGoodSettingsPassEveryStepAndExitZero() {
    Diagnosis d = doctor(laravelEnv(plain)).assertExit(0);
    for (String step :
        List.of("settings", "reach", "tls", "websocket", "http-api", "round-trip", "origin")) {
      d.assertLine("PASS", step, "");
    }
    d.assertLine("PASS", "round-trip", "arrived over the WebSocket");
    d.assertLine("PASS", "origin", "Origin: http://shop.test");
    assertTrue(d.output().contains("All checks passed."), d.output());
  }

  @Test
  void thePusherDriverIsCheckedThroughItsOwnVariables() {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("APP_URL", "http://shop.test");
    env.put("BROADCAST_DRIVER", "pusher");
    env.put("PUSHER_APP_ID", HeraldProcess.APP_ID);
    env.put("PUSHER_APP_KEY", HeraldProcess.APP_KEY);
    env.put("PUSHER_APP_SECRET", "not-the-secret");
    env.put("PUSHER_HOST", "127.0.0.1");
    env.put("PUSHER_PORT", Integer.toString(plain.port()));
    env.put("PUSHER_SCHEME", "http");
    env.put("VITE_PUSHER_APP_KEY", "\"${PUSHER_APP_KEY}\"");
    Diagnosis d = doctor(env).assertExit(1);
    d.assertLine("PASS", "settings", "BROADCAST_DRIVER=pusher");
    d.assertLine("PASS", "websocket", "");
    d.assertText("fix:   set PUSHER_APP_SECRET to the server's secret");
  }

  @Test
  void wrongPortIsRefusedAndTheFixNamesThePortSetting() {
    int unused = Ports.free();
    Diagnosis d = doctorWithPort(unused).assertExit(1);
    d.assertLine("FAIL", "reach", "127.0.0.1:" + unused + " refused the connection");
    d.assertText("nothing listens on 127.0.0.1:" + unused);
    d.assertText("is Herald running");
    d.assertText("Is REVERB_PORT the public port of the proxy");
    d.assertLine("SKIP", "websocket", "");
  }

  @Test
  void httpSettingsAgainstATlsPortAreCalledOut() {
    HeraldProcess tls = selfSigned();
    Diagnosis d = doctor(laravelEnv(tls), "--cacert", selfSignedCert.toString()).assertExit(1);
    d.assertLine("FAIL", "tls", "REVERB_SCHEME=http but 127.0.0.1:" + tls.port() + " speaks TLS");
    d.assertText("http vs https");
    d.assertText("fix:   set REVERB_SCHEME=https and VITE_REVERB_SCHEME=https");
    // The doctor goes on over TLS, so the rest of the path is still checked.
    d.assertLine("PASS", "websocket", "wss://127.0.0.1:" + tls.port());
    d.assertLine("PASS", "round-trip", "");
  }

  @Test
  void httpsSettingsAgainstAPlainPortAreCalledOut() {
    Diagnosis d = doctor(laravelEnv(plain, "REVERB_SCHEME", "https")).assertExit(1);
    d.assertLine(
        "FAIL", "tls", "REVERB_SCHEME=https but 127.0.0.1:" + plain.port() + " does not speak TLS");
    d.assertText("http vs https");
    d.assertText("fix:   set REVERB_SCHEME=http and VITE_REVERB_SCHEME=http, or serve TLS");
    d.assertLine("PASS", "websocket", "ws://127.0.0.1:" + plain.port());
  }

  @Test
  void httpsWithATrustedCertificatePassesAndAnUntrustedOneFails() {
    HeraldProcess tls = selfSigned();
    Map<String, String> env = laravelEnv(tls, "REVERB_SCHEME", "https");
    Diagnosis trusted = doctor(env, "--cacert", selfSignedCert.toString()).assertExit(0);
    trusted.assertLine("PASS", "tls", "trusted certificate for localhost, 127.0.0.1");

    Diagnosis untrusted = doctor(env).assertExit(1);
    untrusted.assertLine("FAIL", "tls", "is not trusted (self-signed)");
    untrusted.assertText("--cacert");
  }

  @Test
  void aProxyThatDropsTheUpgradeHeadersIsNamed() {
    try (LoopbackProxy proxy = LoopbackProxy.strippingUpgradeHeaders(plain.port())) {
      Diagnosis d = doctorWithPort(proxy.port()).assertExit(1);
      d.assertLine(
          "FAIL", "websocket", "answered 404 Not Found instead of 101 Switching Protocols");
      d.assertText("a proxy in between drops them");
      d.assertText("proxy_set_header Upgrade $http_upgrade");
      // The API goes through the same proxy and works: that is how the doctor knows.
      d.assertLine("PASS", "http-api", "");
      d.assertLine("SKIP", "round-trip", "");
    }
  }

  @Test
  void aProxyThatDoesNotRouteTheWebSocketPathIsToldApartFromOneDroppingHeaders() {
    try (LoopbackProxy proxy = LoopbackProxy.routingOnly("/apps/", plain.port())) {
      Diagnosis d = doctorWithPort(proxy.port()).assertExit(1);
      d.assertLine(
          "FAIL", "websocket", "answered 404 Not Found instead of 101 Switching Protocols");
      d.assertText("(an HTML page)");
      d.assertText("it does not pass /app/ on to the server");
      d.assertText("fix:   route /app/ to Herald as well as /apps/");
      d.assertLine("PASS", "http-api", "");
    }
  }

  @Test
  void aWebServerAnswering200InsteadOf101IsNamed() {
    try (LoopbackProxy proxy =
        LoopbackProxy.answering(
            "200 OK",
            "Content-Type: text/html",
            "<html><title>Welcome to the shop</title></html>")) {
      Diagnosis d = doctorWithPort(proxy.port()).assertExit(1);
      d.assertLine("FAIL", "websocket", "answered 200 OK instead of 101 Switching Protocols");
      d.assertText("Welcome to the shop");
      d.assertText("instead of passing it to the WebSocket server");
    }
  }

  @Test
  void aRedirectToHttpsInsteadOf101IsNamed() {
    try (LoopbackProxy proxy =
        LoopbackProxy.answering(
            "301 Moved Permanently",
            "Location: https://ws.shop.test/app/" + HeraldProcess.APP_KEY,
            "")) {
      Diagnosis d = doctorWithPort(proxy.port()).assertExit(1);
      d.assertLine(
          "FAIL", "websocket", "answered 301 Moved Permanently instead of 101 Switching Protocols");
      d.assertText("(redirect to https://ws.shop.test/app/");
      d.assertText("http vs https: the proxy redirects plain http to https");
      d.assertText("fix:   set REVERB_SCHEME=https and REVERB_PORT=443");
    }
  }

  @Test
  void anExpiredCertificateIsFoundEvenWhenTrustedDirectly() throws Exception {
    // A 30-day certificate made 400 days ago: openssl stamps it with the (faked) time it runs at.
    Diagnosis d =
        doctorOnCertificate(List.of(faketime(), "-f", "-400d"), "DNS:localhost,IP:127.0.0.1")
            .assertExit(1);
    d.assertLine("FAIL", "tls", "expired on");
    d.assertText("fix:   renew it");
  }

  @Test
  void aCertificateForAnotherHostIsNamed() throws Exception {
    Diagnosis d = doctorOnCertificate(List.of(), "DNS:other.test").assertExit(1);
    d.assertLine("FAIL", "tls", "the certificate is for other.test, not 127.0.0.1");
    d.assertText("set REVERB_HOST (and VITE_REVERB_HOST) to a name it covers");
  }

  @Test
  void aServerPathPrefixMissingFromTheSettingsIsFoundAndNamed() {
    try (HeraldProcess prefixed =
        HeraldProcess.withDefaults().env("REVERB_SERVER_PATH", "/ws").start()) {
      Diagnosis d = doctor(laravelEnv(prefixed)).assertExit(1);
      d.assertLine(
          "FAIL",
          "websocket",
          "but there is one at ws://127.0.0.1:" + prefixed.port() + "/ws/app/");
      d.assertText(
          "path prefix: the server is mounted under prefix /ws, your settings use no prefix");
      d.assertText("set REVERB_SERVER_PATH=/ws in .env");
      d.assertText("'path' => env('REVERB_SERVER_PATH', '')");
      d.assertText("wsPath: '/ws'");
      d.assertLine("PASS", "http-api", "GET /ws/apps/" + HeraldProcess.APP_ID + "/channels");

      // With the fix applied the doctor is satisfied.
      doctor(laravelEnv(prefixed, "REVERB_SERVER_PATH", "/ws")).assertExit(0);
    }
  }

  @Test
  void aWrongSecretIsToldApartFromAClockOrPrefixProblem() {
    Diagnosis d = doctor(laravelEnv(plain, "REVERB_APP_SECRET", "not-the-secret")).assertExit(1);
    d.assertLine("FAIL", "http-api", "answered 401 Unauthorized");
    d.assertText("wrong secret: the server has another secret for app " + HeraldProcess.APP_ID);
    d.assertText("fix:   set REVERB_APP_SECRET to the server's secret");
    d.assertLine("PASS", "websocket", "");
  }

  /**
   * The doctor runs under Debian's {@code faketime}, which preloads libfaketime into the JVM so the
   * whole process (and so the signed {@code auth_timestamp}) reads a clock one hour behind.
   */
  @Test
  void aSkewedClockIsReportedWithTheSkew() {
    Diagnosis d = doctor(List.of(faketime(), "-f", "-1h"), laravelEnv(plain)).assertExit(1);
    d.assertLine("FAIL", "http-api", "Timestamp expired");
    d.assertText("clock skew: this machine's clock is 60 min");
    d.assertText("behind the server's");
    d.assertText("NTP");
  }

  @Test
  void aRefusedOriginNamesTheAllowedOriginsSetting() {
    try (HeraldProcess restricted =
        HeraldProcess.withDefaults().env("HERALD_APP_ALLOWED_ORIGINS", "admin.test").start()) {
      Diagnosis d = doctor(laravelEnv(restricted)).assertExit(1);
      d.assertLine(
          "FAIL",
          "origin",
          "the server refuses your app's origin http://shop.test (pusher:error 4009");
      d.assertText("fix:   add it to the allowed origins: HERALD_APP_ALLOWED_ORIGINS=shop.test");
      d.assertLine("PASS", "round-trip", "");
    }
  }

  @Test
  void viteSettingsThatDisagreeFailNamingBothValues() {
    Diagnosis d = doctor(laravelEnv(plain, "VITE_REVERB_PORT", "6001")).assertExit(1);
    d.assertLine("FAIL", "settings", "VITE_REVERB_PORT=6001 but REVERB_PORT=" + plain.port());
  }

  @Test
  void anUnknownKeyIsExplained() {
    Diagnosis d =
        doctor(
                laravelEnv(
                    plain,
                    "REVERB_APP_KEY",
                    "someone-elses-key",
                    "VITE_REVERB_APP_KEY",
                    "someone-elses-key"))
            .assertExit(1);
    d.assertLine(
        "FAIL",
        "websocket",
        "the server does not know app key someone-elses-key (pusher:error 4001");
  }

  @Test
  void helpAndBadUsage() {
    Diagnosis help = run(List.of(), List.of("--help"), Map.of()).assertExit(0);
    assertTrue(help.output().contains("Usage: java -jar herald.jar doctor"), help.output());
    Diagnosis bad =
        run(List.of(), List.of("--env-file", dir.resolve("missing.env").toString()), Map.of());
    assertEquals(2, bad.exit(), bad.output());
    assertTrue(bad.output().contains("cannot read the env file"), bad.output());
  }

  // ---- helpers ---------------------------------------------------------------------------------

  /** What the doctor printed (stdout and stderr) and its exit status. */
  record Diagnosis(int exit, String output) {
    /** A verdict line: {@code PASS websocket ...} containing {@code text}. */
    void assertLine(String verdict, String step, String text) {
      String start = String.format("%-4s  %-10s ", verdict, step);
      assertTrue(
          output.lines().anyMatch(line -> line.startsWith(start) && line.contains(text)),
          () -> "no line \"" + start + "…" + text + "…\" in:\n" + output);
    }

    /** Asserts the exit status; returns this diagnosis for the checks of its output. */
    Diagnosis assertExit(int expected) {
      assertEquals(expected, exit, output);
      return this;
    }

    void assertText(String text) {
      assertTrue(output.contains(text), () -> "\"" + text + "\" not in:\n" + output);
    }
  }

  /**
   * The .env of a Laravel app pointed at {@code herald}, written as `php artisan reverb:install`
   * does, then with the {@code overrides} (name, value, name, value...) applied.
   */
  private static Map<String, String> laravelEnv(HeraldProcess herald, String... overrides) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("APP_URL", "http://shop.test");
    env.put("BROADCAST_CONNECTION", "reverb");
    env.put("REVERB_APP_ID", HeraldProcess.APP_ID);
    env.put("REVERB_APP_KEY", HeraldProcess.APP_KEY);
    env.put("REVERB_APP_SECRET", HeraldProcess.APP_SECRET);
    env.put("REVERB_HOST", "\"127.0.0.1\"");
    env.put("REVERB_PORT", Integer.toString(herald.port()));
    env.put("REVERB_SCHEME", "http");
    env.put("VITE_REVERB_APP_KEY", "\"${REVERB_APP_KEY}\"");
    env.put("VITE_REVERB_HOST", "\"${REVERB_HOST}\"");
    env.put("VITE_REVERB_PORT", "\"${REVERB_PORT}\"");
    env.put("VITE_REVERB_SCHEME", "\"${REVERB_SCHEME}\"");
    for (int i = 0; i < overrides.length; i += 2) {
      env.put(overrides[i], overrides[i + 1]);
    }
    return env;
  }

  /** The doctor on the settings for {@code plain}, but with {@code REVERB_PORT=port}. */
  private Diagnosis doctorWithPort(int port) {
    return doctor(laravelEnv(plain, "REVERB_PORT", Integer.toString(port)));
  }

  /**
   * The doctor with https settings, trusting (--cacert) the new 30-day certificate for {@code
   * subjectAltName}, made by openssl run under {@code wrapper}, of a server it is run against.
   */
  private Diagnosis doctorOnCertificate(List<String> wrapper, String subjectAltName)
      throws IOException, InterruptedException {
    Path cert = dir.resolve("server.pem");
    Path key = dir.resolve("server.key");
    SelfSignedCertificate.generateRsa(wrapper, 30, subjectAltName, cert, key);
    try (HeraldProcess tls =
        HeraldProcess.withDefaults()
            .env("HERALD_TLS_CERT", cert.toString())
            .env("HERALD_TLS_KEY", key.toString())
            .tls()
            .start()) {
      return doctor(laravelEnv(tls, "REVERB_SCHEME", "https"), "--cacert", cert.toString());
    }
  }

  private Diagnosis doctor(Map<String, String> env, String... args) {
    return doctor(List.of(), env, args);
  }

  private Diagnosis doctor(List<String> wrapper, Map<String, String> env, String... args) {
    Path file = dir.resolve("laravel-" + System.nanoTime() + ".env");
    StringBuilder text = new StringBuilder();
    env.forEach((name, value) -> text.append(name).append('=').append(value).append('\n'));
    try {
      Files.writeString(file, text, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<String> doctorArgs =
        new ArrayList<>(List.of("--env-file", file.toString(), "--timeout", "10"));
    doctorArgs.addAll(List.of(args));
    return run(wrapper, doctorArgs, Map.of());
  }

  /**
   * {@code [wrapper...] java -jar herald.jar doctor args} with no broadcasting variables inherited.
   */
  private Diagnosis run(List<String> wrapper, List<String> args, Map<String, String> extraEnv) {
    List<String> command = new ArrayList<>(wrapper);
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(List.of("-Xmx128m", "-jar", HeraldProcess.jar().toString(), "doctor"));
    command.addAll(args);
    try {
      Path log = Files.createTempFile(dir, "doctor-", ".log");
      ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
      builder.redirectOutput(log.toFile());
      builder
          .environment()
          .keySet()
          .removeIf(
              k ->
                  k.startsWith("REVERB_")
                      || k.startsWith("PUSHER_")
                      || k.startsWith("HERALD_")
                      || k.startsWith("VITE_")
                      || k.startsWith("BROADCAST_")
                      || k.equals("APP_URL"));
      builder.environment().putAll(extraEnv);
      Process process = builder.start();
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError("doctor still running after 60 s:\n" + Files.readString(log));
      }
      return new Diagnosis(process.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** The path of Debian's {@code faketime}; the calling test is skipped where it is missing. */
  private static String faketime() {
    String faketime = onPath("faketime");
    Prerequisite.require(
        faketime != null,
        "faketime is not installed (the clock-skew check runs Herald an hour behind)",
        "apt-get install faketime");
    return faketime;
  }

  private static String onPath(String program) {
    for (String directory : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      Path candidate = Path.of(directory, program);
      if (Files.isExecutable(candidate)) {
        return candidate.toString();
      }
    }
    return null;
  }
}
