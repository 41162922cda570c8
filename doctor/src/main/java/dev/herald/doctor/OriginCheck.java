package dev.herald.doctor;

import java.io.IOException;
import java.net.URI;

/**
 * Step 7: the server accepts a WebSocket from the app's own pages. Browsers send {@code Origin:
 * APP_URL's scheme://host[:port]}; a server with allowed origins refuses others with {@code
 * pusher:error} 4009 before {@code connection_established}.
 */
final class OriginCheck {
  static final String STEP = "origin";

  private OriginCheck() {}

  static StepResult check(Connector connector, Target target, BroadcastSettings s) {
    if (s.appUrl() == null) {
      return StepResult.warn(
          STEP,
          "APP_URL is not set: the allowed-origins check was skipped",
          null,
          "set APP_URL to the address your users open, e.g. https://app.example.com");
    }
    String origin = SettingsCheck.origin(s.appUrl());
    if (origin == null) {
      return StepResult.warn(
          STEP,
          "APP_URL=" + s.appUrl() + " is not a URL: the allowed-origins check was skipped",
          null,
          "set APP_URL to a full URL, e.g. https://app.example.com");
    }
    PusherSocket.Opening opening;
    try {
      opening = PusherSocket.open(connector, target, s.key(), origin);
    } catch (IOException e) {
      return StepResult.fail(
          STEP, "the upgrade with Origin: " + origin + " failed", connector.explain(e), null);
    }
    if (opening.socket() != null) {
      opening.socket().close();
      return StepResult.pass(STEP, "the server accepts Origin: " + origin + " (APP_URL)");
    }
    if (opening.outcome() == PusherSocket.Outcome.REFUSED && opening.code() == 4009) {
      String host = URI.create(origin).getHost();
      return StepResult.fail(
          STEP,
          "the server refuses your app's origin "
              + origin
              + " (pusher:error 4009 \""
              + opening.detail()
              + "\")",
          "the app's allowed origins do not include "
              + host
              + ", so every browser page of the app is refused",
          "add it to the allowed origins: HERALD_APP_ALLOWED_ORIGINS="
              + host
              + " (comma list; allowed_origins in Herald's config file; allowed_origins in config/reverb.php for Reverb)");
    }
    if (opening.outcome() == PusherSocket.Outcome.NOT_UPGRADED
        && opening.answer().status() == 403) {
      return StepResult.fail(
          STEP,
          "the upgrade with Origin: " + origin + " answered 403",
          "the server or a proxy refuses your app's origin",
          "allow " + origin + " in the server's allowed origins or the proxy's rules");
    }
    return StepResult.fail(
        STEP,
        "the upgrade with Origin: "
            + origin
            + " did not connect ("
            + opening.outcome()
            + (opening.code() == 0 ? "" : " " + opening.code())
            + ")",
        opening.detail(),
        null);
  }
}
