package dev.herald.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code examples/compose/compose.yaml} cannot run here (no Docker engine), so it is checked
 * against what it relies on: every variable set on a Herald service is one Herald reads ({@code
 * herald --env-names}) or the launcher's {@code HERALD_JAVA_OPTS} and {@code HERALD_MEMORY_LIMIT},
 * so a renamed setting cannot leave it silently wrong; and the nginx service's rewrite of the
 * shipped site file still finds what it replaces.
 */
class ComposeExampleTest {

  private static final Path EXAMPLE = Path.of("examples/compose");

  /** The file with its anchors resolved (SnakeYAML does, as Compose does; Jackson's tree not). */
  private static JsonNode compose() throws Exception {
    Object tree =
        new org.yaml.snakeyaml.Yaml()
            .load(Files.readString(Installation.root().resolve(EXAMPLE).resolve("compose.yaml")));
    return new ObjectMapper().valueToTree(tree);
  }

  /** The services built from this repository's Dockerfile. */
  private static List<Map.Entry<String, JsonNode>> heraldServices() throws Exception {
    List<Map.Entry<String, JsonNode>> herald = new ArrayList<>();
    compose()
        .get("services")
        .fields()
        .forEachRemaining(
            service -> {
              if (service.getValue().has("build")) {
                herald.add(service);
              }
            });
    return herald;
  }

  @Test
  void everyVariableSetOnAHeraldServiceIsOneHeraldReads() throws Exception {
    Launched.Result names =
        Launched.run(
            List.of(Installation.launcher().toString(), "--env-names"),
            Installation.environmentWithoutJava(),
            Installation.home(),
            Duration.ofSeconds(60));
    assertEquals(0, names.code(), names.output());
    Set<String> read = new HashSet<>(names.output().lines().toList());
    read.add("HERALD_JAVA_OPTS"); // bin/herald's, not the server's
    read.add("HERALD_MEMORY_LIMIT"); // bin/herald's too
    List<Map.Entry<String, JsonNode>> services = heraldServices();
    assertEquals(2, services.size(), "two Herald nodes");
    List<String> unknown = new ArrayList<>();
    for (Map.Entry<String, JsonNode> service : services) {
      JsonNode environment = service.getValue().get("environment");
      assertTrue(environment != null && environment.size() > 0, service.getKey() + " sets nothing");
      List<String> set = new ArrayList<>();
      if (environment.isObject()) {
        environment.fieldNames().forEachRemaining(set::add);
      } else {
        environment.forEach(entry -> set.add(entry.asText().split("=", 2)[0]));
      }
      set.stream()
          .filter(name -> !read.contains(name))
          .forEach(name -> unknown.add(service.getKey() + ": " + name));
    }
    assertEquals(List.of(), unknown, "variables Herald does not read");
  }

  @Test
  void theHeraldServicesReadTheAppsEnvFileAndWaitForTheDrain() throws Exception {
    assertEquals(2, heraldServices().size(), "two Herald nodes");
    for (Map.Entry<String, JsonNode> service : heraldServices()) {
      JsonNode command = service.getValue().get("command");
      assertEquals("--env-file", command.get(0).asText(), service.getKey());
      String mounted = command.get(1).asText();
      boolean mountsIt = false;
      for (JsonNode volume : service.getValue().get("volumes")) {
        mountsIt |= volume.asText().contains(":" + mounted + ":");
      }
      assertTrue(mountsIt, service.getKey() + " does not mount " + mounted);
      String grace = service.getValue().path("stop_grace_period").asText("10s");
      assertTrue(
          Integer.parseInt(grace.replace("s", "")) >= 25,
          service.getKey() + ": stop_grace_period " + grace + " is shorter than the longest drain");
    }
  }

  @Test
  void theNginxServiceRewritesTheShippedSiteFileWhereItStillMatches() throws Exception {
    JsonNode nginx = compose().get("services").get("nginx");
    String mount = null;
    for (JsonNode volume : nginx.get("volumes")) {
      if (volume.asText().contains("config/nginx/")) {
        mount = volume.asText().split(":")[0];
      }
    }
    assertTrue(mount != null, "nginx does not mount a shipped config/nginx file");
    Path shipped = Installation.root().resolve(EXAMPLE).resolve(mount).normalize();
    assertTrue(Files.isRegularFile(shipped), shipped + " does not exist");
    String site = Files.readString(shipped);
    String command = String.join(" ", nginx.get("command").findValuesAsText(""));
    if (command.isEmpty()) {
      command = nginx.get("command").get(0).asText();
    }
    Matcher rewrite = Pattern.compile("-e 's\\|([^|]+)\\|").matcher(command);
    int rewrites = 0;
    while (rewrite.find()) {
      rewrites++;
      assertTrue(
          site.contains(rewrite.group(1)),
          "the nginx command replaces \"" + rewrite.group(1) + "\", which " + mount + " lacks");
    }
    assertFalse(rewrites == 0, "no sed rewrite found in: " + command);
    assertTrue(site.contains("upstream herald"), "the shipped file defines no upstream");
  }
}
