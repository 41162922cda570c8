package dev.herald.doctor;

/**
 * The outcome of one step. Only {@link #FAIL} makes the doctor exit non-zero: a {@link #WARN} is a
 * risk that does not break broadcasting today (a certificate close to expiry, an origin that could
 * not be checked), and a {@link #SKIP} follows from an earlier failure or does not apply.
 */
public enum Verdict {
  PASS,
  WARN,
  FAIL,
  SKIP
}
