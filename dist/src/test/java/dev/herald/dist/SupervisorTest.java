package dev.herald.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herald.protocoltests.Ports;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The shipped {@code config/supervisor/herald.conf} in Debian's Supervisor, as Laravel's docs run
 * {@code reverb:start}: the program starts the unpacked archive, serves a client, {@code
 * supervisorctl stop} drains it (close 4200, exit 0) within the file's {@code stopwaitsecs}, and
 * {@code supervisorctl start} brings it back. The test replaces only the paths (the launcher, the
 * .env, the log file) and, when not run as root, the {@code user=} line.
 */
class SupervisorTest {

  @Test
  void supervisorctlStopDrainsHeraldWithCloseCode4200AndStartBringsItBack() throws Exception {
    Assumptions.assumeTrue(
        Files.isExecutable(Path.of("/usr/bin/supervisord")),
        "Debian's supervisor is not installed (.ci/run installs it): test skipped");
    Path dir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "supervisor-");
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    int port = Ports.free();
    Path envFile = dir.resolve("laravel.env");
    Files.writeString(
        envFile,
        """
        REVERB_APP_ID=1001
        REVERB_APP_KEY=supervised-key
        REVERB_APP_SECRET=supervised-secret
        REVERB_SERVER_HOST=127.0.0.1
        REVERB_SERVER_PORT=%d
        """
            .formatted(port));
    Files.setPosixFilePermissions(envFile, PosixFilePermissions.fromString("rw-r--r--"));
    Path herald = dir.resolve("herald.log");
    String program =
        Files.readString(Installation.root().resolve("config/supervisor/herald.conf"))
            .replace("/opt/herald/bin/herald", Installation.launcher().toString())
            .replace("directory=/opt/herald", "directory=" + Installation.home())
            .replace("/var/www/html/.env", envFile.toString())
            .replace("/var/log/supervisor/herald.log", herald.toString());
    boolean root = "root".equals(System.getProperty("user.name"));
    if (!root) {
      program = program.replaceAll("(?m)^user=.*$", "");
    }
    Path conf = dir.resolve("supervisord.conf");
    Files.createDirectories(dir.resolve("conf.d"));
    Files.writeString(dir.resolve("conf.d/herald.conf"), program);
    Files.writeString(
        conf,
        """
        [unix_http_server]
        file=%1$s/supervisor.sock
        [supervisord]
        nodaemon=true
        logfile=%1$s/supervisord.log
        pidfile=%1$s/supervisord.pid
        childlogdir=%1$s
        [rpcinterface:supervisor]
        supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface
        [supervisorctl]
        serverurl=unix://%1$s/supervisor.sock
        [include]
        files = %1$s/conf.d/*.conf
        """
            .formatted(dir));
    Map<String, String> env = new HashMap<>();
    env.put("PATH", "/usr/bin:/bin");
    env.put("LANG", "C.UTF-8");
    String ws = "ws://127.0.0.1:" + port + "/app/supervised-key?protocol=7";
    try (Launched supervisord =
        Launched.start(List.of("/usr/bin/supervisord", "-n", "-c", conf.toString()), env, dir)) {
      awaitBanners(herald, 1, supervisord);
      try (WsClient client = WsClient.connect(ws)) {
        client.subscribe("orders.1");
        trigger(port, "orders.1");
        client.await("OrderShipped");

        long started = System.nanoTime();
        Launched.Result stop = supervisorctl(conf, env, "stop", "herald");
        long drainMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        assertEquals(0, stop.code(), stop.output());
        assertTrue(stop.output().contains("herald: stopped"), stop.output());
        assertEquals(4200, client.closeCode().get(5, TimeUnit.SECONDS), "close code");
        String log = Files.readString(dir.resolve("supervisord.log"));
        assertTrue(log.contains("stopped: herald (exit status 0)"), "not a clean exit:\n" + log);
        int stopWait = stopWaitSeconds(program);
        System.out.printf(
            "supervisorctl stop herald: drained and exited 0 in %d ms (stopwaitsecs=%d)%n",
            drainMillis, stopWait);
        assertTrue(drainMillis < stopWait * 1000L, drainMillis + " ms");
      }

      Launched.Result start = supervisorctl(conf, env, "start", "herald");
      assertEquals(0, start.code(), start.output());
      awaitBanners(herald, 2, supervisord);
      try (WsClient again = WsClient.connect(ws)) {
        again.subscribe("orders.2");
      }
      supervisorctl(conf, env, "stop", "herald");
    }
  }

  private static Launched.Result supervisorctl(Path conf, Map<String, String> env, String... args) {
    List<String> command =
        new java.util.ArrayList<>(List.of("/usr/bin/supervisorctl", "-c", conf.toString()));
    command.addAll(List.of(args));
    return Launched.run(command, env, conf.getParent(), Duration.ofSeconds(60));
  }

  private static int stopWaitSeconds(String program) {
    Matcher m = Pattern.compile("(?m)^stopwaitsecs=(\\d+)").matcher(program);
    assertTrue(m.find(), "herald.conf sets no stopwaitsecs (Supervisor's default 10 s is short)");
    return Integer.parseInt(m.group(1));
  }

  /** Waits until the program's log holds {@code count} start banners. */
  private static void awaitBanners(Path log, int count, Launched supervisord) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (true) {
      String text = Files.exists(log) ? Files.readString(log) : "";
      if (text.split("Herald listening on ", -1).length - 1 >= count) {
        return;
      }
      if (System.nanoTime() > deadline || !supervisord.isAlive()) {
        throw new AssertionError(
            "no start banner #" + count + ":\n" + text + "\n" + supervisord.output());
      }
      Thread.sleep(50); // a log file growing has no event to wait on
    }
  }

  private static void trigger(int port, String channel) throws Exception {
    com.pusher.rest.Pusher laravel =
        new com.pusher.rest.Pusher("1001", "supervised-key", "supervised-secret");
    laravel.setHost("127.0.0.1:" + port);
    try {
      assertEquals(
          200,
          laravel.trigger(channel, "OrderShipped", Map.of("id", 1)).getHttpStatus(),
          "trigger");
    } finally {
      laravel.close();
    }
  }
}
