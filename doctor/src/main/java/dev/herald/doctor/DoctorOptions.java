package dev.herald.doctor;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The doctor's command line: {@code doctor [--env-file FILE] [--timeout SECONDS] [--host HOST]
 * [--port PORT] [--path PREFIX] [--cacert PEM]}. The overrides replace what the settings say, for
 * running the doctor from a machine that reaches the server by another address than Laravel does.
 */
record DoctorOptions(
    Path envFile,
    Duration timeout,
    String host,
    Integer port,
    String path,
    Path caCert,
    boolean help) {

  /**
   * @throws IllegalArgumentException with a message for the user
   */
  static DoctorOptions parse(List<String> args) {
    Path envFile = null;
    Duration timeout = Duration.ofSeconds(5);
    String host = null;
    Integer port = null;
    String path = null;
    Path caCert = null;
    boolean help = false;
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      switch (arg) {
        case "--help", "-h" -> help = true;
        case "--env-file" -> envFile = Path.of(value(args, ++i, arg));
        case "--timeout" -> {
          String seconds = value(args, ++i, arg);
          try {
            double parsed = Double.parseDouble(seconds);
            if (!(parsed > 0 && parsed <= 600)) {
              throw new NumberFormatException();
            }
            timeout = Duration.ofMillis((long) (parsed * 1000));
          } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                "--timeout: expected seconds between 0 and 600, got \"" + seconds + "\"");
          }
        }
        case "--host" -> host = value(args, ++i, arg);
        case "--port" -> {
          String value = value(args, ++i, arg);
          try {
            port = Integer.parseInt(value);
            if (port < 1 || port > 65535) {
              throw new NumberFormatException();
            }
          } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--port: expected 1-65535, got \"" + value + "\"");
          }
        }
        case "--path" -> path = value(args, ++i, arg);
        case "--cacert" -> caCert = Path.of(value(args, ++i, arg));
        default -> throw new IllegalArgumentException("unknown option " + arg);
      }
    }
    return new DoctorOptions(envFile, timeout, host, port, path, caCert, help);
  }

  private static String value(List<String> args, int index, String option) {
    if (index >= args.size()) {
      throw new IllegalArgumentException(option + " needs a value");
    }
    return args.get(index);
  }
}
