package dev.herald.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class HttpApiRouteNameTest {

  @Test
  void reverbsConnectionsRouteHasItsOwnLabel() {
    assertEquals("connections", HttpApi.routeName("/apps/1/connections", ""));
    assertEquals("connections", HttpApi.routeName("/pusher/apps/1/connections", "/pusher"));
  }

  @Test
  void channelNamesNeverBecomeLabels() {
    assertEquals("channel", HttpApi.routeName("/apps/1/channels/private-x", ""));
    assertEquals("other", HttpApi.routeName("/apps/1/connections/x", ""));
  }
}
