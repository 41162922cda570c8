package dev.herald.doctor;

import java.time.Clock;

/**
 * Runs the steps in order, each from the outside as Laravel and the browser see the server, and
 * hands each verdict to the {@link Report} as soon as it is known. A step that needs what an
 * earlier one could not establish is skipped, saying which; a step that found the settings wrong
 * but learned the right value (scheme, prefix) passes it on, so one run shows every problem.
 */
final class Doctor {
  private final Connector connector;
  private final Clock clock;
  private final Report report;

  Doctor(Connector connector, Clock clock, Report report) {
    this.connector = connector;
    this.clock = clock;
    this.report = report;
  }

  void run(BroadcastSettings settings, DoctorOptions options) {
    SettingsCheck.Result checked = SettingsCheck.check(settings, options);
    checked.results().forEach(report::add);
    Target target = checked.target();
    if (target == null) {
      skipFrom(ReachabilityCheck.STEP, "the settings name no server to check");
      return;
    }

    StepResult reach = report.add(ReachabilityCheck.check(connector, target, settings));
    if (reach.verdict() == Verdict.FAIL) {
      skipFrom(TlsCheck.STEP, "the server cannot be reached");
      return;
    }

    TlsCheck.Result tls = TlsCheck.check(connector, target, settings, clock);
    tls.results().forEach(report::add);
    target = tls.next();

    boolean signs = settings.appId() != null && settings.secret() != null;
    SignedApi api =
        signs
            ? new SignedApi(connector, settings.appId(), settings.key(), settings.secret(), clock)
            : null;

    UpgradeCheck.Result upgrade =
        UpgradeCheck.check(connector, target, settings, api, checked.hostPath());
    report.add(upgrade.result());
    target = upgrade.next();

    boolean apiWorks = false;
    if (api == null) {
      report.add(StepResult.skip(ApiCheck.STEP, "needs the app id and secret"));
    } else {
      ApiCheck.Result apiResult = ApiCheck.check(api, target, settings, checked.hostPath());
      report.add(apiResult.result());
      apiWorks = apiResult.works();
      if (!upgrade.works() && !apiResult.next().path().equals(target.path())) {
        target = apiResult.next();
      }
    }

    if (upgrade.works() && apiWorks) {
      report.add(RoundTripCheck.check(connector, target, settings, api));
    } else {
      report.add(StepResult.skip(RoundTripCheck.STEP, "needs a working WebSocket and HTTP API"));
    }
    if (upgrade.works()) {
      report.add(OriginCheck.check(connector, target, settings));
    } else {
      report.add(StepResult.skip(OriginCheck.STEP, "needs a working WebSocket"));
    }
  }

  private void skipFrom(String firstStep, String reason) {
    boolean skipping = false;
    for (String step :
        new String[] {
          ReachabilityCheck.STEP,
          TlsCheck.STEP,
          UpgradeCheck.STEP,
          ApiCheck.STEP,
          RoundTripCheck.STEP,
          OriginCheck.STEP
        }) {
      skipping |= step.equals(firstStep);
      if (skipping) {
        report.add(StepResult.skip(step, reason));
      }
    }
  }
}
