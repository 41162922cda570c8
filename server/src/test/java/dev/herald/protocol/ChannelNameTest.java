package dev.herald.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ChannelNameTest {

  @ParameterizedTest
  @CsvSource({
    "orders.42, PUBLIC",
    "cache-x, CACHE",
    "private-orders.42, PRIVATE",
    "private-cache-x, PRIVATE_CACHE",
    "private-encrypted-x, PRIVATE_ENCRYPTED",
    "private-encrypted-cache-x, PRIVATE_ENCRYPTED_CACHE",
    "presence-chat.1, PRESENCE",
    "presence-cache-x, PRESENCE_CACHE",
    "#server-to-user-42, SERVER_TO_USER",
    "privatex, PUBLIC",
    "'App.Models.User.1=@,;_-', PUBLIC"
  })
  void decidesTheKindByTheLongestPrefix(String name, ChannelKind kind) {
    assertEquals(kind, ChannelName.parse(name, 164).kind());
  }

  @ParameterizedTest
  @ValueSource(strings = {"a b", "ü", "a/b", "../etc", "#other", "#server-to-user-", "a*", "x:y"})
  void refusesCharactersOutsideThePusherSet(String name) {
    ChannelName.InvalidChannelNameException error =
        assertThrows(
            ChannelName.InvalidChannelNameException.class, () -> ChannelName.parse(name, 164));
    assertEquals(ChannelName.Problem.INVALID_CHARACTERS, error.problem());
  }

  @Test
  void refusesNamesOverTheLengthLimit() {
    ChannelName.parse("a".repeat(164), 164);
    ChannelName.InvalidChannelNameException error =
        assertThrows(
            ChannelName.InvalidChannelNameException.class,
            () -> ChannelName.parse("a".repeat(165), 164));
    assertEquals(ChannelName.Problem.TOO_LONG, error.problem());
  }

  @Test
  void extractsTheUserOfServerToUserChannels() {
    assertEquals("user-7", ChannelName.parse("#server-to-user-user-7", 164).serverToUserId());
  }
}
