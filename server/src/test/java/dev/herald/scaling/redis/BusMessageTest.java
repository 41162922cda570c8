package dev.herald.scaling.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.channels.OutboundFrame;
import dev.herald.protocol.ErrorCode;
import dev.herald.scaling.Envelope;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class BusMessageTest {
  private static final String FRAME =
      "{\"event\":\"e\",\"channel\":\"c\",\"data\":\"{\\\"a\\\":\\\"ü\\\"}\"}";

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static String text(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  /**
   * What this release publishes: format 1, exactly as the previous release wrote it, so nodes not
   * yet upgraded during a rolling upgrade still get every event.
   */
  @Test
  void publishesEventsInTheFormatEveryNodeReads() {
    BusMessage.Event event =
        BusMessage.Event.of("n1", new Envelope("app", "c", OutboundFrame.of(FRAME), "1.2", 7));
    String format1 =
        "{\"node\":\"n1\",\"type\":\"event\",\"app\":\"app\",\"channel\":\"c\",\"exclude\":\"1.2\","
            + "\"version\":7,\"frame\":"
            + BusMessage.MAPPER.valueToTree(FRAME)
            + "}";
    assertEquals(format1, text(event.encode()));
    assertEquals(event, BusMessage.decode(event.encode()));
  }

  @Test
  void encodesAnEventAsAHeaderLineThenTheFrameBytesSubscribersGet() {
    BusMessage.Event event =
        BusMessage.Event.of("n1", new Envelope("app", "c", OutboundFrame.of(FRAME), "1.2", 7));
    byte[] bytes = event.encodeFormat2();
    assertEquals(
        "{\"bus\":2,\"node\":\"n1\",\"type\":\"event\",\"to_app\":\"app\",\"to_channel\":\"c\","
            + "\"exclude\":\"1.2\",\"version\":7}\n"
            + FRAME,
        text(bytes));
    assertEquals(event, BusMessage.decode(bytes));
  }

  @Test
  void leavesOutAnAbsentExclusionAndAZeroVersion() {
    BusMessage.Event event = new BusMessage.Event("n", "a", "c", OutboundFrame.of(FRAME), null, 0);
    byte[] bytes = event.encodeFormat2();
    assertEquals(
        "{\"bus\":2,\"node\":\"n\",\"type\":\"event\",\"to_app\":\"a\",\"to_channel\":\"c\"}\n"
            + FRAME,
        text(bytes));
    assertEquals(event, BusMessage.decode(bytes));
  }

  @Test
  void carriesAnyHeaderTextAndAnyFrameBytes() {
    // A client event's data is the client's JSON as sent: newlines, and text that looks like a
    // header, stay in the frame.
    String frame = "{\"event\":\"client-x\",\"data\":{\n\"bus\":2,\n\"s\":\"\\n\"}}\n";
    BusMessage.Event event =
        new BusMessage.Event(
            "node \"é\"\n", "app\\1", "presence-ü", OutboundFrame.of(frame), "9.9", 1L << 40);
    for (byte[] bytes : new byte[][] {event.encode(), event.encodeFormat2()}) {
      assertEquals(event, BusMessage.decode(bytes));
      assertEquals(frame, ((BusMessage.Event) BusMessage.decode(bytes)).frame().toString());
    }
  }

  @Test
  void stillDecodesTheEventsOfNodesOfThePreviousVersion() {
    String format1 =
        "{\"node\":\"n1\",\"type\":\"event\",\"app\":\"app\",\"channel\":\"c\",\"exclude\":\"1.2\","
            + "\"version\":7,\"frame\":"
            + BusMessage.MAPPER.valueToTree(FRAME)
            + "}";
    assertEquals(
        new BusMessage.Event("n1", "app", "c", OutboundFrame.of(FRAME), "1.2", 7),
        BusMessage.decode(utf8(format1)));
  }

  /**
   * The previous version's decoder, as it was (a tree read, then these fields), given format 2: why
   * this release does not publish it yet.
   */
  @Test
  void aNodeOfThePreviousVersionReadsAFormat2EventForNoAppAndNoChannel() throws Exception {
    byte[] bytes =
        BusMessage.Event.of("n1", new Envelope("app", "c", OutboundFrame.of(FRAME), "1.2", 7))
            .encodeFormat2();
    JsonNode json = BusMessage.MAPPER.readTree(text(bytes));
    assertEquals("event", json.path("type").asText());
    assertEquals("", json.path("app").asText());
    assertEquals("", json.path("channel").asText());
  }

  @Test
  void closeMessagesCarryTheErrorCodeByName() {
    BusMessage.CloseUser user =
        new BusMessage.CloseUser("n", "a", "u1", ErrorCode.CONNECTION_UNAUTHORIZED, "bye");
    assertEquals(
        "{\"node\":\"n\",\"type\":\"close-user\",\"app\":\"a\",\"user\":\"u1\","
            + "\"code\":\"CONNECTION_UNAUTHORIZED\",\"reason\":\"bye\"}",
        text(user.encode()));
    assertEquals(user, BusMessage.decode(user.encode()));
    BusMessage.CloseApp app = new BusMessage.CloseApp("n", "a", ErrorCode.APP_DISABLED, "off");
    assertEquals(
        "{\"node\":\"n\",\"type\":\"close-app\",\"app\":\"a\",\"code\":\"APP_DISABLED\","
            + "\"reason\":\"off\"}",
        text(app.encode()));
    assertEquals(app, BusMessage.decode(app.encode()));
  }

  @Test
  void refusesWhatIsNotAKnownMessage() {
    for (String bad :
        new String[] {
          "not json",
          "[]",
          "{\"node\":\"n\",\"type\":\"gossip\",\"app\":\"a\"}",
          "{\"node\":\"n\",\"type\":\"close-app\",\"app\":\"a\",\"code\":\"NO_SUCH\"}",
          "{\"bus\":2,\"node\":\"n\",\"type\":\"event\",\"to_app\":\"a\",\"to_channel\":\"c\"}",
          "{\"bus\":2,\"node\":\"n\",\"type\":\"event\",\"to_app\":\"a\"}\n{}",
          "{\"bus\":2,\"node\":\"n\",\"type\":\"gossip\",\"to_app\":\"a\",\"to_channel\":\"c\"}\n{}",
          "{\"bus\":2,\"node\":\n{}",
          "{\"bus\":2,\"node\":\"n\",\"type\":\n{}"
        }) {
      assertThrows(IllegalArgumentException.class, () -> BusMessage.decode(utf8(bad)), bad);
    }
  }
}
