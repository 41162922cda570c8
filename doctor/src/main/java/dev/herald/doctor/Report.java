package dev.herald.doctor;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Prints each step's verdict as it is decided (so a slow step shows where the doctor is), then a
 * one-line total. Lines: {@code PASS settings summary}, then indented {@code cause:} and {@code
 * fix:} lines for failures and warnings. Not thread-safe.
 */
final class Report {
  private final PrintStream out;
  private final List<StepResult> results = new ArrayList<>();

  Report(PrintStream out) {
    this.out = out;
  }

  void note(String line) {
    out.println(line);
    out.flush();
  }

  StepResult add(StepResult result) {
    results.add(result);
    out.printf("%-4s  %-10s %s%n", result.verdict(), result.step(), result.summary());
    if (result.cause() != null) {
      out.println("      cause: " + result.cause());
    }
    if (result.fix() != null) {
      out.println("      fix:   " + result.fix());
    }
    out.flush();
    return result;
  }

  long count(Verdict verdict) {
    return results.stream().filter(r -> r.verdict() == verdict).count();
  }

  /** Prints the total and returns the exit code: 0 when nothing failed, 1 otherwise. */
  int finish() {
    long failed = count(Verdict.FAIL);
    long warned = count(Verdict.WARN);
    out.println();
    if (failed == 0) {
      out.println(
          "All checks passed" + (warned == 0 ? "." : " (" + warned + " warning(s), see above)."));
    } else {
      out.println(
          failed
              + " check(s) failed, "
              + warned
              + " warning(s). Fix the first failure first: later ones often follow from it.");
    }
    out.flush();
    return failed == 0 ? 0 : 1;
  }
}
