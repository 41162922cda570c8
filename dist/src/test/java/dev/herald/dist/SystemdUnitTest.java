package dev.herald.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The shipped {@code config/systemd/herald.service}: {@code systemd-analyze verify} accepts it
 * without a warning (with its paths pointed at the unpacked archive), and its limits fit Herald: a
 * file descriptor per connection, a stop timeout as long as the longest drain.
 */
class SystemdUnitTest {

  /** Herald gives up draining after 2 x HERALD_DRAIN_SECONDS (5) + 15 s. */
  private static final int LONGEST_DRAIN_SECONDS = 2 * 5 + 15;

  private static String unit() throws Exception {
    return Files.readString(Installation.root().resolve("config/systemd/herald.service"));
  }

  @Test
  void systemdAnalyzeVerifiesTheUnitWithoutAWarning() throws Exception {
    Path analyze = Path.of("/usr/bin/systemd-analyze");
    Assumptions.assumeTrue(
        Files.isExecutable(analyze), "systemd-analyze is not installed: the check is skipped");
    Path dir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "systemd-");
    Path unit = dir.resolve("herald.service");
    Files.writeString(
        unit,
        unit()
            .replace("/opt/herald/bin/herald", Installation.launcher().toString())
            .replace("WorkingDirectory=/opt/herald", "WorkingDirectory=" + Installation.home()));
    Launched.Result verify =
        Launched.run(
            List.of(analyze.toString(), "verify", unit.toString()),
            Map.of("PATH", "/usr/bin:/bin", "SYSTEMD_LOG_COLOR", "0"),
            dir,
            Duration.ofSeconds(60));
    // verify exits 0 on unknown keys and unparsable values (it ignores them), so its warnings
    // about the file count as failures too.
    List<String> aboutTheUnit =
        verify.output().lines().filter(line -> line.contains("herald.service")).toList();
    assertEquals(0, verify.code(), verify.output());
    assertEquals(List.of(), aboutTheUnit, verify.output());
  }

  @Test
  void theUnitRaisesTheFileLimitAndWaitsForTheDrain() throws Exception {
    assertTrue(number("LimitNOFILE") >= 65_536, "LimitNOFILE: one descriptor per connection");
    assertTrue(
        number("TimeoutStopSec") >= LONGEST_DRAIN_SECONDS,
        "TimeoutStopSec shorter than the longest drain");
    Matcher stopWait =
        Pattern.compile("(?m)^stopwaitsecs=(\\d+)")
            .matcher(
                Files.readString(Installation.root().resolve("config/supervisor/herald.conf")));
    assertTrue(stopWait.find(), "no stopwaitsecs in herald.conf");
    assertEquals(
        number("TimeoutStopSec"),
        Integer.parseInt(stopWait.group(1)),
        "systemd and Supervisor wait as long for the drain");
    assertTrue(unit().contains("\nKillSignal=SIGTERM\n"), "SIGTERM starts the drain");
  }

  private static int number(String key) throws Exception {
    Matcher m = Pattern.compile("(?m)^" + key + "=(\\d+)$").matcher(unit());
    assertTrue(m.find(), "no " + key + "= in herald.service");
    return Integer.parseInt(m.group(1));
  }
}
