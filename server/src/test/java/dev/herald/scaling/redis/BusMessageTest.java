package dev.herald.scaling.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.herald.channels.OutboundFrame;
import dev.herald.protocol.ErrorCode;
import dev.herald.scaling.Envelope;
import org.junit.jupiter.api.Test;

class BusMessageTest {
  private static final String FRAME =
      "{\"event\":\"e\",\"channel\":\"c\",\"data\":\"{\\\"a\\\":\\\"ü\\\"}\"}";

  @Test
  void encodesAnEventWithItsFrameAsTheExactTextSubscribersGet() {
    BusMessage.Event event =
        BusMessage.Event.of("n1", new Envelope("app", "c", OutboundFrame.of(FRAME), "1.2", 7));
    String text = event.encode();
    assertEquals(
        "{\"node\":\"n1\",\"type\":\"event\",\"app\":\"app\",\"channel\":\"c\",\"exclude\":\"1.2\","
            + "\"version\":7,\"frame\":"
            + BusMessage.MAPPER.valueToTree(FRAME)
            + "}",
        text);
    assertEquals(event, BusMessage.decode(text));
  }

  @Test
  void leavesOutAnAbsentExclusionAndAZeroVersion() {
    BusMessage.Event event = new BusMessage.Event("n", "a", "c", FRAME, null, 0);
    String text = event.encode();
    assertEquals(
        "{\"node\":\"n\",\"type\":\"event\",\"app\":\"a\",\"channel\":\"c\",\"frame\":"
            + BusMessage.MAPPER.valueToTree(FRAME)
            + "}",
        text);
    assertEquals(event, BusMessage.decode(text));
  }

  @Test
  void closeMessagesCarryTheErrorCodeByName() {
    BusMessage.CloseUser user =
        new BusMessage.CloseUser("n", "a", "u1", ErrorCode.CONNECTION_UNAUTHORIZED, "bye");
    assertEquals(
        "{\"node\":\"n\",\"type\":\"close-user\",\"app\":\"a\",\"user\":\"u1\","
            + "\"code\":\"CONNECTION_UNAUTHORIZED\",\"reason\":\"bye\"}",
        user.encode());
    assertEquals(user, BusMessage.decode(user.encode()));
    BusMessage.CloseApp app = new BusMessage.CloseApp("n", "a", ErrorCode.APP_DISABLED, "off");
    assertEquals(
        "{\"node\":\"n\",\"type\":\"close-app\",\"app\":\"a\",\"code\":\"APP_DISABLED\","
            + "\"reason\":\"off\"}",
        app.encode());
    assertEquals(app, BusMessage.decode(app.encode()));
  }

  @Test
  void refusesWhatIsNotAKnownMessage() {
    for (String bad :
        new String[] {
          "not json",
          "[]",
          "{\"node\":\"n\",\"type\":\"gossip\",\"app\":\"a\"}",
          "{\"node\":\"n\",\"type\":\"close-app\",\"app\":\"a\",\"code\":\"NO_SUCH\"}"
        }) {
      assertThrows(IllegalArgumentException.class, () -> BusMessage.decode(bad), bad);
    }
  }
}
