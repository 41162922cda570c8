package dev.herald.websocket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.herald.config.AppConfig;
import dev.herald.protocol.ErrorCode;
import dev.herald.protocol.ProtocolException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HandshakeTest {
  private static ProtocolException refused(String prefix, String path, String uri) {
    return assertThrows(ProtocolException.class, () -> Handshake.parse(prefix, path, uri));
  }

  @Test
  void readsTheAppKeyFromThePathAndTheProtocolFromTheQuery() {
    assertEquals(
        new Handshake("my-key", 7),
        Handshake.parse("/app/", "/app/my-key", "/app/my-key?protocol=7&client=js"));
    assertEquals(
        new Handshake("k", 4), Handshake.parse("/ws/app/", "/ws/app/k", "/ws/app/k?protocol=4"));
  }

  @Test
  void refusesAPathThatIsNotAppSlashKeyWith4005() {
    for (String path : new String[] {"/", "/app/", "/apps/k", "/app/k/more", "/other/app/k"}) {
      ProtocolException e = refused("/app/", path, path + "?protocol=7");
      assertEquals(ErrorCode.PATH_NOT_FOUND, e.errorCode(), path);
      assertEquals("Path not found: connect to /app/{key}", e.getMessage());
    }
  }

  @Test
  void refusesAMissingProtocolWith4008AndAnUnsupportedOneWith4007() {
    assertEquals(ErrorCode.NO_PROTOCOL, refused("/app/", "/app/k", "/app/k").errorCode());
    assertEquals(ErrorCode.NO_PROTOCOL, refused("/app/", "/app/k", "/app/k?protocol=").errorCode());
    for (String version : new String[] {"3", "8", "x", "7.0", "-7"}) {
      ProtocolException e = refused("/app/", "/app/k", "/app/k?protocol=" + version);
      assertEquals(ErrorCode.UNSUPPORTED_PROTOCOL, e.errorCode(), version);
      assertEquals("Unsupported protocol version " + version + "; use 4 to 7", e.getMessage());
    }
  }

  @Test
  void refusesADisabledAppWith4003AndAForeignOriginWith4009() {
    AppConfig disabled =
        AppConfig.fromSettings(
            Map.of("id", "1", "key", "k", "secret", "s", "enabled", "false"), "test");
    assertEquals(
        ErrorCode.APP_DISABLED,
        assertThrows(ProtocolException.class, () -> Handshake.checkApp(disabled, null))
            .errorCode());
    AppConfig strict =
        AppConfig.fromSettings(
            Map.of("id", "1", "key", "k", "secret", "s", "allowed_origins", "https://good.example"),
            "test");
    Handshake.checkApp(strict, "https://good.example");
    ProtocolException e =
        assertThrows(
            ProtocolException.class, () -> Handshake.checkApp(strict, "https://evil.example"));
    assertEquals(ErrorCode.CONNECTION_UNAUTHORIZED, e.errorCode());
    assertEquals("Origin not allowed: https://evil.example", e.getMessage());
  }
}
