package dev.herald.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.config.AppConfig;
import dev.herald.protocol.ChannelName;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class EventRequestTest {
  private static final AppConfig APP =
      AppConfig.fromSettings(
          Map.of(
              "id", "1",
              "key", "k",
              "secret", "s",
              "max_event_payload", "10",
              "max_channels_per_event", "2",
              "max_batch_size", "2",
              "max_event_name_length", "5"),
          "test");

  private static JsonNode json(String text) {
    return EventRequest.bodyObject(text.getBytes(StandardCharsets.UTF_8));
  }

  private static ApiException refused(String body) {
    return assertThrows(ApiException.class, () -> EventRequest.parse(APP, json(body), true));
  }

  @Test
  void parsesAnEventToSeveralChannelsWithoutDuplicatesKeepingTheDataAsSent() {
    EventRequest event =
        EventRequest.parse(
            APP,
            json(
                "{\"name\":\"e\",\"data\":\"{\\\"a\\\":1}\",\"channels\":[\"a\",\"b\",\"a\"],"
                    + "\"socket_id\":\"1.2\",\"info\":\"user_count, subscription_count\"}"),
            true);
    assertEquals("e", event.name());
    assertEquals("{\"a\":1}", event.data());
    assertEquals(List.of("a", "b"), event.channels().stream().map(ChannelName::value).toList());
    assertEquals("1.2", event.socketId());
    assertEquals(Set.of("user_count", "subscription_count"), event.info());
  }

  @Test
  void acceptsASingleChannelFieldAndNoSocketId() {
    EventRequest event =
        EventRequest.parse(APP, json("{\"name\":\"e\",\"data\":\"x\",\"channel\":\"c\"}"), true);
    assertEquals("c", event.channels().get(0).value());
    assertNull(event.socketId());
  }

  @Test
  void namesTheFieldAtFault() {
    assertEquals("name is required", refused("{\"data\":\"x\",\"channel\":\"c\"}").getMessage());
    assertEquals(
        "data must be a string",
        refused("{\"name\":\"e\",\"data\":{},\"channel\":\"c\"}").getMessage());
    assertEquals(
        "name must be 1 to 5 characters",
        refused("{\"name\":\"toolong\",\"data\":\"x\",\"channel\":\"c\"}").getMessage());
    assertEquals(
        "channels (or channel) is required",
        refused("{\"name\":\"e\",\"data\":\"x\"}").getMessage());
    assertEquals(
        "socket_id must look like 1234.5678",
        refused("{\"name\":\"e\",\"data\":\"x\",\"channel\":\"c\",\"socket_id\":\"x\"}")
            .getMessage());
    assertEquals(
        "info may hold user_count and subscription_count, not bogus",
        refused("{\"name\":\"e\",\"data\":\"x\",\"channel\":\"c\",\"info\":\"bogus\"}")
            .getMessage());
  }

  @Test
  void appliesTheAppsLimits() {
    ApiException tooBig =
        refused("{\"name\":\"e\",\"data\":\"" + "é".repeat(6) + "\",\"channel\":\"c\"}");
    assertEquals(413, tooBig.status());
    assertEquals("data is 12 bytes; the limit is 10 bytes", tooBig.getMessage());
    assertEquals(
        400, refused("{\"name\":\"e\",\"data\":\"x\",\"channels\":[\"a\",\"b\",\"c\"]}").status());
    assertEquals(
        400, refused("{\"name\":\"e\",\"data\":\"x\",\"channel\":\"bad name!\"}").status());
  }

  @Test
  void refusesABodyThatIsNotAJsonObject() {
    for (String body : new String[] {"", "not json", "[1]", "\"s\""}) {
      ApiException e =
          assertThrows(
              ApiException.class,
              () -> EventRequest.bodyObject(body.getBytes(StandardCharsets.UTF_8)));
      assertEquals(400, e.status());
    }
    assertEquals(
        400, assertThrows(ApiException.class, () -> EventRequest.bodyObject(null)).status());
  }

  @Test
  void aBatchItemGoesToOneChannelAndItsErrorNamesTheItem() {
    List<EventRequest> events =
        EventRequest.parseBatch(
            APP,
            json(
                "{\"batch\":[{\"name\":\"a\",\"data\":\"1\",\"channel\":\"x\"},"
                    + "{\"name\":\"b\",\"data\":\"2\",\"channel\":\"y\"}]}"));
    assertEquals(List.of("a", "b"), events.stream().map(EventRequest::name).toList());
    ApiException e =
        assertThrows(
            ApiException.class,
            () ->
                EventRequest.parseBatch(
                    APP,
                    json(
                        "{\"batch\":[{\"name\":\"a\",\"data\":\"1\",\"channel\":\"x\"},"
                            + "{\"name\":\"b\",\"data\":\"2\",\"channels\":[\"x\",\"y\"]}]}")));
    assertEquals("batch[1]: a batch event goes to one channel", e.getMessage());
    assertEquals(
        "Batch has 3 events; at most 2 are allowed",
        assertThrows(
                ApiException.class,
                () -> EventRequest.parseBatch(APP, json("{\"batch\":[{},{},{}]}")))
            .getMessage());
  }
}
