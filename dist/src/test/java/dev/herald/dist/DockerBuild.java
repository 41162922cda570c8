package dev.herald.dist;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Runs a Dockerfile's build without Docker (CI has no engine and cannot pull images): each stage
 * gets a directory standing for its file system; COPY takes files from a build context that holds
 * only what a fresh clone has and {@code .dockerignore} admits, or from an earlier stage's
 * directory; RUN lines of the stages a later stage copies from run in {@code sh} with Maven offline
 * (their base image is assumed to bring a JDK and Maven, as the pinned maven image does). The last
 * stage's RUN lines change the system (useradd) and are not run. Whatever a stage needs and does
 * not find (a module, a file, a plugin not in the local repository) fails the build here as it
 * would in Docker. Not thread-safe.
 */
final class DockerBuild {
  private final Path root;
  private final Dockerfile dockerfile;
  private final Path context;
  private final Path work;
  private final Map<Dockerfile.Stage, Path> stageRoots = new HashMap<>();
  private final StringBuilder log = new StringBuilder();

  DockerBuild(Path root, Path work) {
    this.root = root;
    this.dockerfile = Dockerfile.read(root.resolve("Dockerfile"));
    this.work = work;
    this.context = work.resolve("context");
  }

  Dockerfile dockerfile() {
    return dockerfile;
  }

  /** What happened, step by step, for a failure message. */
  String log() {
    return log.toString();
  }

  /** The directory standing for a stage's file system (after {@link #run()}). */
  Path stageRoot(Dockerfile.Stage stage) {
    return stageRoots.get(stage);
  }

  /** Builds every stage in order; throws an AssertionError naming the step that failed. */
  void run() throws IOException {
    layOutContext();
    List<String> copiedFrom = new ArrayList<>();
    dockerfile
        .stages()
        .forEach(s -> s.all("COPY").forEach(c -> copiedFrom.add(c.flags().get("from"))));
    for (int i = 0; i < dockerfile.stages().size(); i++) {
      Dockerfile.Stage stage = dockerfile.stages().get(i);
      // Never the last stage: its RUN lines set up the system (useradd) of an image, not this one.
      boolean runCommands =
          i < dockerfile.stages().size() - 1
              && (copiedFrom.contains(stage.name()) || copiedFrom.contains(Integer.toString(i)));
      buildStage(stage, work.resolve("stage-" + i), runCommands);
    }
  }

  /** Files a fresh clone has (git's tracked and new files), less what .dockerignore leaves out. */
  private void layOutContext() throws IOException {
    DockerIgnore ignore = DockerIgnore.read(root.resolve(".dockerignore"));
    int kept = 0;
    for (Path relative : cloneFiles()) {
      if (!ignore.admits(relative) || !Files.isRegularFile(root.resolve(relative))) {
        continue;
      }
      Path target = context.resolve(relative.toString());
      Files.createDirectories(target.getParent());
      Files.copy(root.resolve(relative), target, StandardCopyOption.COPY_ATTRIBUTES);
      kept++;
    }
    log.append("context: ").append(kept).append(" files\n");
  }

  private List<Path> cloneFiles() throws IOException {
    if (Files.exists(root.resolve(".git"))) {
      Launched.Result files =
          Launched.run(
              List.of("git", "ls-files", "--cached", "--others", "--exclude-standard"),
              Map.of("PATH", "/usr/bin:/bin", "HOME", System.getProperty("user.home")),
              root,
              Duration.ofMinutes(1));
      if (files.code() != 0) {
        throw new IllegalStateException("git ls-files: " + files.output());
      }
      return files.output().lines().filter(l -> !l.isBlank()).map(Path::of).toList();
    }
    // An exported tree (git archive): everything in it is what a clone has.
    try (Stream<Path> walk = Files.walk(root)) {
      return walk.filter(Files::isRegularFile).map(root::relativize).toList();
    }
  }

  private void buildStage(Dockerfile.Stage stage, Path stageRoot, boolean runCommands)
      throws IOException {
    stageRoots.put(stage, stageRoot);
    Files.createDirectories(stageRoot);
    String workdir = "/";
    log.append("FROM ").append(stage.image()).append('\n');
    for (Dockerfile.Instruction step : stage.instructions()) {
      switch (step.keyword()) {
        case "WORKDIR" -> {
          String dir = step.arguments().trim();
          workdir = dir.startsWith("/") ? dir : workdir + "/" + dir;
          Files.createDirectories(inside(stageRoot, workdir));
        }
        case "COPY" -> copy(step, stageRoot, workdir);
        case "RUN" -> {
          if (runCommands) {
            runShell(step.arguments(), inside(stageRoot, workdir));
          } else {
            log.append("  (not run: RUN ").append(step.arguments()).append(")\n");
          }
        }
        default -> {}
      }
    }
  }

  private void copy(Dockerfile.Instruction step, Path stageRoot, String workdir)
      throws IOException {
    List<String> words = step.words();
    List<String> sources = words.subList(0, words.size() - 1);
    String dest = words.get(words.size() - 1);
    String from = step.flags().get("from");
    Path sourceRoot = from == null ? context : stageRoots.get(dockerfile.stage(from));
    Path destination = inside(stageRoot, dest.startsWith("/") ? dest : workdir + "/" + dest);
    boolean intoDirectory = dest.endsWith("/") || dest.equals(".") || sources.size() > 1;
    log.append("COPY ").append(step.arguments()).append('\n');
    for (String source : sources) {
      List<Path> matches = resolve(sourceRoot, source);
      if (matches.isEmpty()) {
        throw new AssertionError(
            "COPY "
                + step.arguments()
                + ": "
                + source
                + " is not in "
                + (from == null ? "the build context" : "stage " + from)
                + "\n"
                + log);
      }
      for (Path match : matches) {
        if (Files.isDirectory(match)) {
          copyTree(match, destination);
        } else {
          Path target =
              intoDirectory || Files.isDirectory(destination)
                  ? destination.resolve(match.getFileName().toString())
                  : destination;
          Files.createDirectories(target.getParent());
          Files.copy(match, target, StandardCopyOption.REPLACE_EXISTING);
          String chmod = step.flags().get("chmod");
          if (chmod != null) {
            Files.setPosixFilePermissions(target, PosixFilePermissions.fromString(rwx(chmod)));
          }
        }
      }
    }
  }

  /** The files a COPY source names: a path, or a glob in its last part. */
  private static List<Path> resolve(Path sourceRoot, String source) throws IOException {
    Path path = inside(sourceRoot, source);
    if (Files.exists(path)) {
      return List.of(path);
    }
    Path parent = path.getParent();
    if (!Files.isDirectory(parent) || !path.getFileName().toString().matches(".*[*?\\[].*")) {
      return List.of();
    }
    PathMatcher glob =
        FileSystems.getDefault().getPathMatcher("glob:" + path.getFileName().toString());
    try (Stream<Path> list = Files.list(parent)) {
      return list.filter(p -> glob.matches(p.getFileName())).toList();
    }
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> walk = Files.walk(from)) {
      for (Path path : (Iterable<Path>) walk::iterator) {
        Path target = to.resolve(from.relativize(path).toString());
        if (Files.isDirectory(path)) {
          Files.createDirectories(target);
        } else {
          Files.copy(
              path,
              target,
              StandardCopyOption.REPLACE_EXISTING,
              StandardCopyOption.COPY_ATTRIBUTES);
        }
      }
    }
  }

  /**
   * A RUN line in {@code sh -c}, BuildKit's {@code --mount} options dropped, {@code mvn} run
   * offline against this machine's local repository: a plugin or dependency the build needs and
   * that is not there fails it, as it would on a machine without the network.
   */
  private void runShell(String command, Path directory) throws IOException {
    Path bin = Files.createDirectories(work.resolve("offline-bin"));
    Path mvn = bin.resolve("mvn");
    if (!Files.exists(mvn)) {
      Files.writeString(mvn, "#!/bin/sh\nexec " + realMaven() + " -o \"$@\"\n");
      Files.setPosixFilePermissions(mvn, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
    Map<String, String> env = new HashMap<>(System.getenv());
    env.put("PATH", bin + ":" + System.getenv("PATH"));
    env.remove("MAVEN_ARGS");
    log.append("RUN ").append(command).append('\n');
    Launched.Result result =
        Launched.run(List.of("sh", "-c", command), env, directory, Duration.ofMinutes(10));
    log.append(result.output());
    if (result.code() != 0) {
      throw new AssertionError("RUN " + command + " exited with " + result.code() + "\n" + log);
    }
  }

  private static String realMaven() {
    for (String dir : System.getenv("PATH").split(":")) {
      if (Files.isExecutable(Path.of(dir, "mvn"))) {
        return Path.of(dir, "mvn").toString();
      }
    }
    throw new IllegalStateException("no mvn on PATH");
  }

  /** An absolute path of the stage's file system, under the directory standing for it. */
  static Path inside(Path stageRoot, String path) {
    return stageRoot.resolve(path.replaceAll("^/+", "")).normalize();
  }

  private static String rwx(String octal) {
    StringBuilder text = new StringBuilder();
    for (char digit : octal.substring(octal.length() - 3).toCharArray()) {
      int bits = digit - '0';
      text.append((bits & 4) != 0 ? 'r' : '-')
          .append((bits & 2) != 0 ? 'w' : '-')
          .append((bits & 1) != 0 ? 'x' : '-');
    }
    return text.toString();
  }
}
