package dev.herald.doctor;

/**
 * One printed verdict: what was checked and found ({@code summary}), and for a failure or warning
 * why ({@code cause}) and what to change ({@code fix}); either may be null.
 */
public record StepResult(String step, Verdict verdict, String summary, String cause, String fix) {

  static StepResult pass(String step, String summary) {
    return new StepResult(step, Verdict.PASS, summary, null, null);
  }

  static StepResult fail(String step, String summary, String cause, String fix) {
    return new StepResult(step, Verdict.FAIL, summary, cause, fix);
  }

  static StepResult warn(String step, String summary, String cause, String fix) {
    return new StepResult(step, Verdict.WARN, summary, cause, fix);
  }

  static StepResult skip(String step, String summary) {
    return new StepResult(step, Verdict.SKIP, summary, null, null);
  }
}
