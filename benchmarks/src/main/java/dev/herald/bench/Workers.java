package dev.herald.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.DataFormatException;
import org.HdrHistogram.Histogram;

/**
 * Extra generator processes ({@code --processes N}): shards 1..N-1 of a delivery scenario's
 * subscriber connections, each in its own JVM running {@code Bench worker}, driven over
 * stdin/stdout with one-line commands (RESET, COUNT, HIST, EXIT). Latencies stay comparable because
 * System.nanoTime() is CLOCK_MONOTONIC, shared by all processes of a Linux machine. A worker exits
 * when its stdin closes, so it cannot outlive the coordinator.
 */
final class Workers implements AutoCloseable {

  record Ready(int ok, String error) {}

  private static final class Worker {
    final Process process;
    final BufferedReader in;
    final PrintWriter out;
    final AtomicLong count = new AtomicLong();

    Worker(Process process) {
      this.process = process;
      this.in =
          new BufferedReader(
              new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
      this.out = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
    }

    /** Sends a command and reads its one-line answer, at most 60 s. */
    synchronized String call(String command) {
      out.println(command);
      return readLine(60);
    }

    synchronized String readLine(double seconds) {
      CompletableFuture<String> f =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  String line;
                  // Skip log lines ("# ...").
                  while ((line = in.readLine()) != null && line.startsWith("#")) {
                    System.out.println(line);
                  }
                  return line;
                } catch (IOException e) {
                  return null;
                }
              });
      try {
        String line = f.get((long) (seconds * 1000), TimeUnit.MILLISECONDS);
        if (line == null) {
          throw new IllegalStateException("worker ended");
        }
        return line;
      } catch (Exception e) {
        process.destroyForcibly();
        throw new IllegalStateException("worker did not answer: " + e, e);
      }
    }
  }

  private final List<Worker> workers = new ArrayList<>();
  private volatile boolean closed;
  private Thread poller;

  private Workers() {}

  static Workers start(Options o, String scenario, int processes) {
    Workers w = new Workers();
    if (processes <= 1) {
      return w;
    }
    String java = ProcessHandle.current().info().command().orElse("java");
    long heapMb = Runtime.getRuntime().maxMemory() / (1024 * 1024);
    for (int shard = 1; shard < processes; shard++) {
      List<String> cmd = new ArrayList<>();
      cmd.add(java);
      cmd.add("-Xmx" + heapMb + "m");
      cmd.add("-cp");
      cmd.add(System.getProperty("java.class.path"));
      cmd.add(Bench.class.getName());
      cmd.add("worker");
      for (String a : o.toArgs()) {
        cmd.add(a);
      }
      cmd.add("--worker-of");
      cmd.add(scenario);
      cmd.add("--shard");
      cmd.add(Integer.toString(shard));
      try {
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        w.workers.add(new Worker(p));
      } catch (IOException e) {
        w.close();
        throw new IllegalStateException("cannot start worker: " + e, e);
      }
    }
    return w;
  }

  /** Waits for every worker's {@code READY ok failed [error]} line. */
  Ready awaitReady(double timeoutSeconds) {
    int ok = 0;
    String error = null;
    for (Worker w : workers) {
      String line = w.readLine(timeoutSeconds + 30);
      String[] f = line.split(" ", 4);
      if (!f[0].equals("READY")) {
        error = line;
        continue;
      }
      ok += Integer.parseInt(f[1]);
      if (f.length > 3 && error == null) {
        error = f[3];
      }
    }
    if (!workers.isEmpty()) {
      poller =
          new Thread(
              () -> {
                while (!closed) {
                  for (Worker w : workers) {
                    try {
                      w.count.set(Long.parseLong(w.call("COUNT").split(" ")[1]));
                    } catch (RuntimeException e) {
                      if (!closed) {
                        System.out.println("# worker: " + e);
                      }
                      return;
                    }
                  }
                  Env.sleep(0.002);
                }
              },
              "workers-poller");
      poller.setDaemon(true);
      poller.start();
    }
    return new Ready(ok, error);
  }

  /** Deliveries counted by the workers (refreshed every few milliseconds). */
  long count() {
    long sum = 0;
    for (Worker w : workers) {
      sum += w.count.get();
    }
    return sum;
  }

  void reset() {
    for (Worker w : workers) {
      w.call("RESET");
      w.count.set(Long.parseLong(w.call("COUNT").split(" ")[1]));
    }
  }

  void addHistograms(Histogram into) {
    for (Worker w : workers) {
      String line = w.call("HIST");
      byte[] bytes = Base64.getDecoder().decode(line.substring("HIST ".length()).trim());
      try {
        into.add(Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(bytes), 0));
      } catch (DataFormatException e) {
        throw new IllegalStateException("bad histogram from worker", e);
      }
    }
  }

  static String encode(Histogram h) {
    ByteBuffer buf = ByteBuffer.allocate(h.getNeededByteBufferCapacity());
    int len = h.encodeIntoCompressedByteBuffer(buf);
    return Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(buf.array(), len));
  }

  @Override
  public void close() {
    closed = true;
    for (Worker w : workers) {
      try {
        w.out.println("EXIT");
        w.out.close();
        if (!w.process.waitFor(10, TimeUnit.SECONDS)) {
          w.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        w.process.destroyForcibly();
      }
    }
  }
}
