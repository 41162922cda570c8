package dev.herald.protocoltests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.TestSource;
import org.junit.platform.engine.support.descriptor.ClassSource;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;

/**
 * Writes down every test or container that was skipped (disabled) or aborted (an assumption did not
 * hold), one line each, in {@code herald.skippedTestsDir}: surefire's reports count a class aborted
 * in {@code @BeforeAll} as "Tests run: 0" with nothing skipped, so the full tier's check
 * (.ci/NoSkippedTests.java) reads this ledger as well. Registered through {@code
 * META-INF/services}; JUnit calls it from the test threads, so writes are synchronized.
 */
public final class SkippedTestsLedger implements TestExecutionListener {

  private final Path file =
      Path.of(System.getProperty("herald.skippedTestsDir", "target/skipped-tests"))
          .resolve("skipped-" + ProcessHandle.current().pid() + ".txt");

  @Override
  public void executionSkipped(TestIdentifier test, String reason) {
    record(test, "disabled: " + reason);
  }

  @Override
  public void executionFinished(TestIdentifier test, TestExecutionResult result) {
    if (result.getStatus() == TestExecutionResult.Status.ABORTED) {
      record(
          test,
          result.getThrowable().map(Throwable::getMessage).orElse("aborted without a reason"));
    }
  }

  private synchronized void record(TestIdentifier test, String reason) {
    String line = name(test) + ": " + String.valueOf(reason).replace('\n', ' ') + "\n";
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(
          file, line, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the skipped-tests ledger " + file, e);
    }
  }

  private static String name(TestIdentifier test) {
    TestSource source = test.getSource().orElse(null);
    if (source instanceof MethodSource method) {
      return method.getClassName() + "#" + method.getMethodName();
    }
    if (source instanceof ClassSource type) {
      return type.getClassName();
    }
    return test.getDisplayName();
  }
}
