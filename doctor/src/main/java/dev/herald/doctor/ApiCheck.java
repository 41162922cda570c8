package dev.herald.doctor;

import java.io.IOException;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Step 5: a signed {@code GET {prefix}/apps/{id}/channels}, the request Laravel's broadcaster makes
 * the same way, succeeds. When it does not, the answer says which part is wrong: the secret ({@code
 * Invalid signature}), the clock (the server's {@code Timestamp expired} message, or its {@code
 * Date} header, against this machine's clock), the app id or key, or the prefix.
 */
final class ApiCheck {
  static final String STEP = "http-api";

  /** Signed requests are accepted within this many seconds of the server's clock. */
  static final long WINDOW_SECONDS = 600;

  private static final Pattern TIMESTAMP_MESSAGE =
      Pattern.compile("timestamp \\((\\d+)\\).*server time \\((\\d+)\\)", Pattern.CASE_INSENSITIVE);

  private static final Pattern UNKNOWN_APP =
      Pattern.compile(
          "unknown app|app(lication)? not found|no such app|app does not exist",
          Pattern.CASE_INSENSITIVE);

  private ApiCheck() {}

  record Result(StepResult result, Target next, boolean works) {}

  static Result check(SignedApi api, Target target, BroadcastSettings s, String hostPath) {
    String request = "GET " + target.path() + "/apps/" + s.appId() + "/channels";
    HttpAnswer answer;
    long sentAt = api.now();
    try {
      answer = api.listChannels(target);
    } catch (IOException e) {
      return new Result(
          StepResult.fail(STEP, request + " failed", api.connector().explain(e), null),
          target,
          false);
    }
    Long skew = skewFromDate(answer, sentAt);
    String got = request + " answered " + answer.statusLine() + bodyPart(answer);
    switch (answer.status()) {
      case 200:
        if (skew != null && Math.abs(skew) > WINDOW_SECONDS / 2) {
          return new Result(
              StepResult.warn(
                  STEP,
                  request
                      + " answered 200, but this machine's clock is "
                      + describeSkew(skew)
                      + " the server's (Date header)",
                  "servers that check timestamps (Herald, Pusher) refuse signed requests more than "
                      + WINDOW_SECONDS
                      + " s off",
                  "sync the clocks with NTP (timedatectl set-ntp true, or chrony)"),
              target,
              true);
        }
        return new Result(
            StepResult.pass(
                STEP,
                request
                    + " answered 200: the app id, key and secret are right"
                    + (skew == null
                        ? ""
                        : "; clocks agree within " + Math.max(1, Math.abs(skew)) + " s")),
            target,
            true);
      case 401:
        return new Result(unauthorized(answer, got, s, skew), target, false);
      case 403:
        return new Result(
            StepResult.fail(
                STEP,
                got,
                "the app is disabled or over its message quota",
                "enable the app or raise max_backend_events_per_second"),
            target,
            false);
      case 404:
        return notFound(api, target, s, hostPath, answer, got);
      default:
        return new Result(
            StepResult.fail(
                STEP,
                got,
                answer.status() >= 500
                    ? "the server or a proxy in front of it failed"
                    : "not an answer the Pusher API gives to this request",
                answer.status() == 502 || answer.status() == 504
                    ? "start Herald, and check the proxy's upstream address"
                    : null),
            target,
            false);
    }
  }

  private static StepResult unauthorized(
      HttpAnswer answer, String got, BroadcastSettings s, Long dateSkew) {
    String body = answer.body();
    Matcher timestamps = TIMESTAMP_MESSAGE.matcher(body);
    Long skew = dateSkew;
    if (timestamps.find()) {
      skew = Long.parseLong(timestamps.group(1)) - Long.parseLong(timestamps.group(2));
    }
    // Herald and Pusher say "Timestamp expired: Given timestamp (...) not within 600s of server
    // time (...)"; an "Invalid signature" message also names auth_timestamp, so match the verdict.
    boolean clockMessage =
        timestamps.reset().find() || body.toLowerCase(java.util.Locale.ROOT).contains("expired");
    if (clockMessage || (skew != null && Math.abs(skew) > WINDOW_SECONDS)) {
      return StepResult.fail(
          STEP,
          got,
          "clock skew: this machine's clock is "
              + (skew == null ? "off from" : describeSkew(skew))
              + " the server's; signed requests are accepted only within "
              + WINDOW_SECONDS
              + " s",
          "sync the clocks of the Laravel machine and the server with NTP (timedatectl set-ntp true, or chrony / ntpd)");
    }
    // Herald and Pusher: "Invalid signature: ..."; Reverb: "Authentication signature invalid.".
    String lower = body.toLowerCase(java.util.Locale.ROOT);
    if (lower.contains("signature") || lower.contains("secret")) {
      return StepResult.fail(
          STEP,
          got,
          "wrong secret: the server has another secret for app "
              + s.appId()
              + " than "
              + s.variable("APP_SECRET")
              + " (the id and key match)",
          "set "
              + s.variable("APP_SECRET")
              + " to the server's secret for app "
              + s.appId()
              + " (the same value on both sides), then php artisan config:clear");
    }
    if (body.contains("auth_key")) {
      return StepResult.fail(
          STEP,
          got,
          "app "
              + s.appId()
              + " on the server has another key than "
              + s.variable("APP_KEY")
              + "="
              + s.key(),
          "set "
              + s.variable("APP_ID")
              + ", "
              + s.variable("APP_KEY")
              + " and "
              + s.variable("APP_SECRET")
              + " to one app's values on the server");
    }
    return StepResult.fail(
        STEP,
        got,
        "the server refused the request's authentication",
        "check " + s.variable("APP_KEY") + " and " + s.variable("APP_SECRET"));
  }

  private static Result notFound(
      SignedApi api,
      Target target,
      BroadcastSettings s,
      String hostPath,
      HttpAnswer answer,
      String got) {
    if (UNKNOWN_APP.matcher(answer.body()).find()) {
      return new Result(
          StepResult.fail(
              STEP,
              got,
              "the server has no app with id " + s.appId(),
              "set "
                  + s.variable("APP_ID")
                  + " to the id the server has for your app (Herald prints it at start)"),
          target,
          false);
    }
    Optional<String> prefix =
        PrefixFinder.find(
            target.path(),
            s,
            hostPath,
            candidate -> {
              int status = api.listChannels(target.withPath(candidate)).status();
              return status == 200 || status == 401 || status == 403;
            });
    if (prefix.isPresent()) {
      return new Result(
          StepResult.fail(
              STEP,
              got
                  + ", but "
                  + target.withPath(prefix.get()).httpUrl("/apps/" + s.appId() + "/channels")
                  + " answers",
              "path prefix: the HTTP API is under "
                  + UpgradeCheck.describe(prefix.get())
                  + ", your settings use "
                  + UpgradeCheck.describe(target.path()),
              PrefixFinder.fix(prefix.get(), s)),
          target.withPath(prefix.get()),
          true);
    }
    return new Result(
        StepResult.fail(
            STEP,
            got,
            "nothing serves the Pusher HTTP API at this address and path",
            "behind a proxy, route "
                + target.path()
                + "/apps/ to Herald as well as "
                + target.path()
                + "/app/"),
        target,
        false);
  }

  /** Seconds this machine's clock is ahead of the server's per its Date header (1 s resolution). */
  static Long skewFromDate(HttpAnswer answer, long localSeconds) {
    String date = answer.header("date");
    if (date == null) {
      return null;
    }
    try {
      return localSeconds
          - ZonedDateTime.parse(date, DateTimeFormatter.RFC_1123_DATE_TIME).toEpochSecond();
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  static String describeSkew(long skew) {
    long abs = Math.abs(skew);
    String amount = abs >= 120 ? (abs / 60) + " min " + (abs % 60) + " s" : abs + " s";
    return amount + (skew > 0 ? " ahead of" : " behind");
  }

  private static String bodyPart(HttpAnswer answer) {
    return answer.body().isEmpty() ? "" : ": " + answer.bodySnippet();
  }
}
