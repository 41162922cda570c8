package dev.herald.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import org.junit.jupiter.api.Test;

class JsonTest {
  /** Every character up to U+02FF, then a surrogate pair, a line separator and a BOM. */
  private static String everyInterestingCharacter() {
    StringBuilder all = new StringBuilder();
    for (char c = 0; c < 0x300; c++) {
      all.append(c);
    }
    return all.append("😀\u2028\uFEFF").toString();
  }

  @Test
  void escapesEveryCharacterAsJacksonDoes() {
    String all = everyInterestingCharacter();
    assertEquals(
        new String(JsonStringEncoder.getInstance().quoteAsString(all)),
        Json.appendEscaped(new StringBuilder(), all).toString());
  }

  @Test
  void quotesThenEscapesAgainAsTwoJacksonQuotesWould() {
    String all = everyInterestingCharacter();
    String quoted = Json.quote(all);
    String twice = Json.quote(quoted);
    assertEquals(
        twice.substring(1, twice.length() - 1),
        Json.appendQuotedEscaped(new StringBuilder(), all).toString());
  }
}
