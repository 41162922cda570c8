package dev.herald.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.herald.protocoltests.Ports;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Docker image, checked without Docker: the build runs from exactly the context Docker would
 * send (see {@link DockerBuild}), then the last stage's file system is inspected and its entry
 * point and health check are run on this machine with the same arguments.
 */
class DockerfileTest {

  private static DockerBuild build;
  private static Path image;

  @BeforeAll
  static void buildTheImageWithoutDocker() throws Exception {
    Path work = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "docker-build-");
    build = new DockerBuild(Installation.root(), work);
    build.run();
    image = build.stageRoot(build.dockerfile().last());
  }

  @Test
  void baseImagesArePinnedToAVersion() {
    Pattern pinned = Pattern.compile("[^:@]+(:\\d+\\.\\d+[^:]*|@sha256:[0-9a-f]{64})");
    for (Dockerfile.Stage stage : build.dockerfile().stages()) {
      assertTrue(pinned.matcher(stage.image()).matches(), "not pinned: FROM " + stage.image());
    }
  }

  @Test
  void theImageRunsAsAnUnprivilegedUser() {
    List<Dockerfile.Instruction> users = build.dockerfile().last().all("USER");
    assertTrue(!users.isEmpty(), "no USER in the last stage: it would run as root");
    String user = users.get(users.size() - 1).arguments().trim();
    assertTrue(!user.equals("root") && !user.equals("0"), "USER " + user);
  }

  @Test
  void theEntryPointStartsTheBuiltJarAndPrintsItsVersion() {
    List<String> command = entryPoint();
    Path launcher = DockerBuild.inside(image, command.get(0));
    assertTrue(Files.isExecutable(launcher), command.get(0) + " is not an executable in the image");
    Map<String, String> env = new HashMap<>();
    // The base image puts its Java on PATH; here this machine's stands in for it.
    env.put("PATH", Path.of(System.getProperty("java.home"), "bin") + ":/usr/bin:/bin");
    Launched.Result version =
        Launched.run(List.of(launcher.toString(), "--version"), env, image, Duration.ofSeconds(60));
    assertEquals(0, version.code(), version.output());
    assertEquals("herald " + Installation.VERSION, version.output().strip());
  }

  /**
   * {@code docker run IMAGE doctor ...}: the doctor's arguments come after the entry point's own
   * ({@code --health-url-file}), and still reach the doctor.
   */
  @Test
  void dockerRunImageDoctorRunsTheDoctor() throws Exception {
    Path urlFile = Files.createTempFile("herald-health-url-", "");
    Files.delete(urlFile);
    List<String> command = new ArrayList<>(mapped(entryPoint(), urlFile));
    command.addAll(List.of("doctor", "--help"));
    Map<String, String> env = new HashMap<>();
    env.put("PATH", Path.of(System.getProperty("java.home"), "bin") + ":/usr/bin:/bin");
    Launched.Result help = Launched.run(command, env, image, Duration.ofSeconds(60));
    assertEquals(0, help.code(), help.output());
    assertTrue(
        help.output().startsWith("Usage: java -jar herald.jar doctor"),
        "output:\n" + help.output());
    assertFalse(Files.exists(urlFile), "the doctor wrote a health URL");
  }

  @Test
  void theImageSetsNoVariableThatWouldOverrideAMountedEnvFile() {
    Set<String> heraldReads = Set.copyOf(envNames());
    List<String> overriding = new ArrayList<>();
    for (Dockerfile.Instruction env : build.dockerfile().last().all("ENV")) {
      for (String word : env.words()) {
        String name = word.split("=", 2)[0];
        if (heraldReads.contains(name)) {
          overriding.add(name);
        }
      }
    }
    assertEquals(List.of(), overriding, "image ENV would win over --env-file");
  }

  @Test
  void theHealthCheckFindsHeraldWithTlsOnAnyHostPortAndPathPrefix() throws Exception {
    Path urlFile = Files.createTempFile("herald-health-url-", "");
    Files.delete(urlFile);
    int port = Ports.free();
    Path envFile = Files.createTempFile("laravel-", ".env");
    // Everything from the mounted .env: the probe cannot read it, only the URL Herald writes.
    Files.writeString(
        envFile,
        """
        REVERB_APP_ID=1001
        REVERB_APP_KEY=docker-key
        REVERB_APP_SECRET=docker-secret
        REVERB_SERVER_HOST=127.0.0.2
        REVERB_SERVER_PORT=%d
        REVERB_SERVER_PATH=/ws
        """
            .formatted(port));
    List<String> command = new ArrayList<>(mapped(entryPoint(), urlFile));
    command.addAll(List.of("--env-file", envFile.toString(), "--tls-self-signed"));
    String probe = healthCheck().replace(imageUrlFile(), urlFile.toString());
    Map<String, String> env = new HashMap<>();
    env.put("PATH", Path.of(System.getProperty("java.home"), "bin") + ":/usr/bin:/bin");
    try (Launched herald = Launched.start(command, env, image)) {
      herald.awaitOutput("Herald listening on 127.0.0.2:" + port + "/ws", Duration.ofSeconds(60));
      awaitFile(urlFile);
      assertEquals(
          "https://127.0.0.2:" + port + "/ws/up", Files.readString(urlFile).strip(), "the URL");
      // As Docker does: unhealthy only after --retries failures in a row (a cold JVM's first TLS
      // handshake can take seconds on a loaded machine).
      int retries = Integer.parseInt(healthCheckInstruction().flags().getOrDefault("retries", "3"));
      Launched.Result healthy = null;
      for (int attempt = 0;
          attempt < retries && (healthy == null || healthy.code() != 0);
          attempt++) {
        healthy = Launched.run(List.of("sh", "-c", probe), env, image, ofSeconds(10));
      }
      assertEquals(0, healthy.code(), "probe while serving: " + healthy.output());
      herald.stop();
      Launched.Result down = Launched.run(List.of("sh", "-c", probe), env, image, ofSeconds(10));
      assertNotEquals(0, down.code(), "probe after stop: " + down.output());
    } finally {
      Files.deleteIfExists(envFile);
      Files.deleteIfExists(urlFile);
    }
  }

  private static Duration ofSeconds(long seconds) {
    return Duration.ofSeconds(seconds);
  }

  private static void awaitFile(Path file) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!Files.exists(file)) {
      if (System.nanoTime() > deadline) {
        fail("Herald wrote no " + file);
      }
      Thread.sleep(20); // a file appearing has no event to wait on
    }
  }

  private static List<String> entryPoint() {
    List<Dockerfile.Instruction> entry = build.dockerfile().last().all("ENTRYPOINT");
    assertEquals(1, entry.size(), "one ENTRYPOINT");
    List<String> command = entry.get(0).execForm();
    assertTrue(command != null, "ENTRYPOINT in exec form, so SIGTERM reaches Herald, not a shell");
    return command;
  }

  /** The file the entry point's --health-url-file names, in the image. */
  private static String imageUrlFile() {
    List<String> command = entryPoint();
    int at = command.indexOf("--health-url-file");
    assertTrue(at > 0, "the ENTRYPOINT passes no --health-url-file: " + command);
    return command.get(at + 1);
  }

  /**
   * The entry point with its paths in the image's directory and the URL file at {@code urlFile}.
   */
  private static List<String> mapped(List<String> command, Path urlFile) {
    List<String> result = new ArrayList<>();
    result.add(DockerBuild.inside(image, command.get(0)).toString());
    for (String arg : command.subList(1, command.size())) {
      result.add(arg.equals(imageUrlFile()) ? urlFile.toString() : arg);
    }
    return result;
  }

  private static Dockerfile.Instruction healthCheckInstruction() {
    List<Dockerfile.Instruction> checks = build.dockerfile().last().all("HEALTHCHECK");
    assertEquals(1, checks.size(), "one HEALTHCHECK");
    return checks.get(0);
  }

  private static String healthCheck() {
    String text = healthCheckInstruction().arguments();
    int cmd = text.indexOf("CMD ");
    assertTrue(cmd >= 0, "HEALTHCHECK without CMD: " + text);
    String shell = text.substring(cmd + 4).trim();
    assertTrue(!shell.startsWith("["), "shell form expected (it reads the URL file): " + shell);
    assertTrue(!shell.contains("java"), "the probe starts a JVM: " + shell);
    return shell;
  }

  private static List<String> envNames() {
    Map<String, String> env = new HashMap<>();
    env.put("PATH", Path.of(System.getProperty("java.home"), "bin") + ":/usr/bin:/bin");
    Launched.Result names =
        Launched.run(
            List.of(DockerBuild.inside(image, entryPoint().get(0)).toString(), "--env-names"),
            env,
            image,
            Duration.ofSeconds(60));
    assertEquals(0, names.code(), names.output());
    return names.output().lines().toList();
  }
}
