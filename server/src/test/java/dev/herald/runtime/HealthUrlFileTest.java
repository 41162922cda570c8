package dev.herald.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HealthUrlFileTest {

  @Test
  void aWildcardListenAddressIsProbedOnLoopback() {
    assertEquals("http://127.0.0.1:8080/up", HealthUrlFile.url("0.0.0.0", 8080, "", false));
    assertEquals("http://[::1]:8080/up", HealthUrlFile.url("::", 8080, "", false));
  }

  @Test
  void aSpecificAddressThePrefixAndTlsAreKept() {
    assertEquals("https://10.0.0.5:6001/ws/up", HealthUrlFile.url("10.0.0.5", 6001, "/ws", true));
    assertEquals("http://[::1]:9000/up", HealthUrlFile.url("::1", 9000, "", false));
  }

  @Test
  void theFileHoldsTheUrlOnOneLineAndIsReplacedWhole(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("url");
    HealthUrlFile.write(file, "http://127.0.0.1:1/up");
    HealthUrlFile.write(file, "http://127.0.0.1:2/up");
    assertEquals("http://127.0.0.1:2/up\n", Files.readString(file));
    try (var files = Files.list(dir)) {
      assertEquals(1, files.count(), "no temporary file left behind");
    }
  }
}
