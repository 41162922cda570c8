package dev.herald;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;

class MainTest {

  @Test
  void doctorTakesTheArgumentsAfterItsName() {
    assertEquals(
        List.of("--env-file", ".env"),
        Main.doctorArguments(List.of("doctor", "--env-file", ".env")));
  }

  @Test
  void doctorPassesOverTheHealthUrlFileTheImageEntryPointPutsFirst() {
    assertEquals(
        List.of("--help"),
        Main.doctorArguments(
            List.of("--health-url-file", "/tmp/herald-health-url", "doctor", "--help")));
  }

  @Test
  void theServerCommandLineIsNotTheDoctors() {
    assertNull(Main.doctorArguments(List.of()));
    assertNull(Main.doctorArguments(List.of("--env-file", ".env")));
    assertNull(Main.doctorArguments(List.of("--health-url-file", "/tmp/herald-health-url")));
    assertNull(Main.doctorArguments(List.of("--env-file", "doctor")));
  }
}
