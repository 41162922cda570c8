package dev.herald.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RedactedTest {
  private static final String PASSWORD = "p+w=d$x/y#z";

  @Test
  void passwordInTheUserPartIsReplacedAndTheRestKept() {
    assertEquals(
        "postgresql://herald:***@db.internal:5432/apps",
        Redacted.url("postgresql://herald:s3cret@db.internal:5432/apps"));
  }

  @Test
  void everyQueryValueIsReplaced() {
    assertEquals(
        "postgresql://herald@127.0.0.1/apps?sslmode=***&password=***",
        Redacted.url("postgresql://herald@127.0.0.1/apps?sslmode=require&password=s3cret"));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "postgresql://herald:" + PASSWORD + "@127.0.0.1:5432/apps",
        "mysql://root:p%2Bw%3Dd%24x%2Fy%23z@127.0.0.1/apps",
        "postgresql://herald@127.0.0.1/apps?password=" + PASSWORD,
        "postgresql://herald@127.0.0.1/apps?password=p%2Bw%3Dd%24x%2Fy%23z&x=1",
        "redis://:" + PASSWORD + "@127.0.0.1:6379/0",
        "postgresql://herald:pa?ss@w/rd@127.0.0.1/apps",
        "postgresql://127.0.0.1/apps?user=a&password=" + PASSWORD + "@host"
      })
  void noPartOfAPasswordSurvivesInAnyForm(String url) {
    String shown = Redacted.url(url);
    for (String part : new String[] {"w=d", "d$x", "x/y", "y#z", "%2B", "%24", "ss@w", "rd@"}) {
      assertFalse(shown.contains(part), () -> shown + " still contains " + part);
    }
  }

  @Test
  void webhookUrlKeepsOnlyItsOrigin() {
    assertEquals(
        "https://hooks.example.com:8443",
        Redacted.origin("https://hooks.example.com:8443/t/tok3n?key=tok3n"));
    assertEquals("(a URL that does not parse)", Redacted.origin("https://x/ tok3n"));
  }
}
