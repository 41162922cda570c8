package dev.herald.doctor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class SettingsCheckTest {

  private static final DoctorOptions NO_OPTIONS = DoctorOptions.parse(List.of());

  private static Map<String, String> good() {
    Map<String, String> env = new HashMap<>();
    env.put("BROADCAST_CONNECTION", "reverb");
    env.put("REVERB_APP_ID", "1001");
    env.put("REVERB_APP_KEY", "key");
    env.put("REVERB_APP_SECRET", "secret");
    env.put("REVERB_HOST", "127.0.0.1");
    env.put("REVERB_PORT", "8080");
    env.put("REVERB_SCHEME", "http");
    env.put("VITE_REVERB_APP_KEY", "key");
    env.put("VITE_REVERB_HOST", "127.0.0.1");
    env.put("VITE_REVERB_PORT", "8080");
    env.put("VITE_REVERB_SCHEME", "http");
    return env;
  }

  private static SettingsCheck.Result check(Map<String, String> env) {
    return SettingsCheck.check(BroadcastSettingsReader.read(null, env), NO_OPTIONS);
  }

  private static String failures(SettingsCheck.Result result) {
    return result.results().stream()
        .filter(r -> r.verdict() == Verdict.FAIL)
        .map(r -> r.summary() + " | " + r.cause() + " | " + r.fix())
        .collect(Collectors.joining("\n"));
  }

  @Test
  void consistentSettingsPassAndNameTheServer() {
    SettingsCheck.Result result = check(good());
    assertEquals(1, result.results().size(), result.results().toString());
    assertEquals(Verdict.PASS, result.results().get(0).verdict());
    assertEquals(new Target("http", "127.0.0.1", 8080, "", true), result.target());
  }

  @Test
  void aViteValueThatDiffersFromItsReverbValueFailsNamingBoth() {
    Map<String, String> env = good();
    env.put("VITE_REVERB_PORT", "6001");
    env.put("VITE_REVERB_APP_KEY", "old-key");
    String failures = failures(check(env));
    assertTrue(failures.contains("VITE_REVERB_PORT=6001 but REVERB_PORT=8080"), failures);
    assertTrue(failures.contains("VITE_REVERB_APP_KEY=old-key but REVERB_APP_KEY=key"), failures);
    assertTrue(failures.contains("VITE_REVERB_PORT=\"${REVERB_PORT}\""), failures);
  }

  @Test
  void aMissingViteKeyIsAWarningNotAFailure() {
    Map<String, String> env = good();
    env.remove("VITE_REVERB_APP_KEY");
    SettingsCheck.Result result = check(env);
    assertEquals("", failures(result));
    assertTrue(
        result.results().stream()
            .anyMatch(
                r -> r.verdict() == Verdict.WARN && r.summary().contains("VITE_REVERB_APP_KEY")));
  }

  @Test
  void aQueueOtherThanSyncWarnsThatAWorkerMustRun() {
    Map<String, String> env = good();
    env.put("QUEUE_CONNECTION", "database");
    SettingsCheck.Result result = check(env);
    assertEquals("", failures(result));
    StepResult warning =
        result.results().stream()
            .filter(r -> r.verdict() == Verdict.WARN)
            .findFirst()
            .orElseThrow(() -> new AssertionError(result.results().toString()));
    assertEquals(
        "events are queued (QUEUE_CONNECTION=database): is a worker running?", warning.summary());
    assertTrue(warning.fix().contains("php artisan queue:work"), warning.fix());
    assertTrue(warning.fix().contains("ShouldBroadcastNow"), warning.fix());
  }

  @Test
  void theOldQueueDriverNameIsReadToo() {
    Map<String, String> env = good();
    env.put("QUEUE_DRIVER", "redis");
    assertTrue(
        check(env).results().stream()
            .anyMatch(r -> r.verdict() == Verdict.WARN && r.summary().contains("=redis")));
  }

  @Test
  void aSyncOrUnsetQueueSaysNothing() {
    Map<String, String> env = good();
    env.put("QUEUE_CONNECTION", "SYNC");
    assertEquals(1, check(env).results().size());
    env.remove("QUEUE_CONNECTION");
    assertEquals(1, check(env).results().size());
  }

  @Test
  void theNullQueueFailsBecauseItDiscardsEveryBroadcast() {
    Map<String, String> env = good();
    env.put("QUEUE_CONNECTION", "null");
    assertTrue(failures(check(env)).contains("QUEUE_CONNECTION=null discards queued jobs"));
  }

  @Test
  void aDriverThatDoesNotBroadcastFails() {
    Map<String, String> env = good();
    env.put("BROADCAST_CONNECTION", "log");
    assertTrue(failures(check(env)).contains("BROADCAST_CONNECTION=log"));
    env.remove("BROADCAST_CONNECTION");
    assertTrue(failures(check(env)).contains("BROADCAST_CONNECTION is not set"));
  }

  @Test
  void aHostWithSchemePathAndPortFailsAndTheBareHostIsChecked() {
    Map<String, String> env = good();
    env.put("REVERB_HOST", "https://ws.test:8443/ws");
    env.remove("VITE_REVERB_HOST");
    SettingsCheck.Result result = check(env);
    String failures = failures(result);
    assertTrue(failures.contains("contains a scheme"), failures);
    assertTrue(failures.contains("contains a path"), failures);
    assertTrue(failures.contains("REVERB_SERVER_PATH=/ws"), failures);
    assertTrue(failures.contains("contains a port"), failures);
    assertEquals("ws.test", result.target().host());
    assertEquals("/ws", result.hostPath());
  }

  @Test
  void aListenAddressAsTheHostFails() {
    Map<String, String> env = good();
    env.put("REVERB_HOST", "0.0.0.0");
    env.remove("VITE_REVERB_HOST");
    String failures = failures(check(env));
    assertTrue(failures.contains("REVERB_HOST=0.0.0.0 is a listen address"), failures);
    assertTrue(failures.contains("keep 0.0.0.0 in REVERB_SERVER_HOST"), failures);
  }

  @Test
  void commandLineOverridesReplaceTheAddress() {
    SettingsCheck.Result result =
        SettingsCheck.check(
            BroadcastSettingsReader.read(null, good()),
            DoctorOptions.parse(List.of("--host", "10.0.0.5", "--port", "6001", "--path", "/ws")));
    assertEquals(new Target("http", "10.0.0.5", 6001, "/ws", true), result.target());
    assertTrue(result.results().get(0).summary().contains("--host/--port/--path given"));
  }

  @Test
  void anHttpsAppWithAPlainWebSocketIsMixedContent() {
    Map<String, String> env = good();
    env.put("APP_URL", "https://shop.test");
    assertTrue(failures(check(env)).contains("mixed content"));
  }

  @Test
  void missingKeyLeavesNothingToConnectTo() {
    Map<String, String> env = good();
    env.remove("REVERB_APP_KEY");
    env.remove("VITE_REVERB_APP_KEY");
    SettingsCheck.Result result = check(env);
    assertTrue(failures(result).contains("REVERB_APP_KEY is not set"));
    assertNull(result.target());
  }

  @Test
  void theServerPathSettingBecomesThePrefix() {
    Map<String, String> env = good();
    env.put("REVERB_SERVER_PATH", "ws/");
    assertEquals("/ws", check(env).target().path());
  }

  @Test
  void theOriginOfAppUrlIsWhatABrowserSends() {
    assertEquals("https://shop.test", SettingsCheck.origin("https://Shop.test/dashboard"));
    assertEquals("http://localhost:8000", SettingsCheck.origin("http://localhost:8000"));
    assertEquals("https://shop.test", SettingsCheck.origin("https://shop.test:443/"));
    assertNull(SettingsCheck.origin("shop.test"));
  }

  @Test
  void skewIsDescribedInMinutesAndDirection() {
    assertEquals("60 min 0 s behind", ApiCheck.describeSkew(-3600));
    assertEquals("30 s ahead of", ApiCheck.describeSkew(30));
  }
}
