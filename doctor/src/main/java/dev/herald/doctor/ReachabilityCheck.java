package dev.herald.doctor;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.stream.Collectors;

/** Step 2: the host name resolves and something accepts TCP connections on the port. */
final class ReachabilityCheck {
  static final String STEP = "reach";

  private ReachabilityCheck() {}

  static StepResult check(Connector connector, Target target, BroadcastSettings s) {
    InetAddress[] addresses;
    try {
      addresses = InetAddress.getAllByName(target.host());
    } catch (UnknownHostException e) {
      return StepResult.fail(
          STEP,
          target.host() + " does not resolve",
          "DNS has no address for " + s.variable("HOST") + "=" + target.host(),
          "check the spelling, or add a DNS record (or an /etc/hosts line for a local name)");
    }
    String resolved =
        Arrays.stream(addresses)
            .map(InetAddress::getHostAddress)
            .distinct()
            .collect(Collectors.joining(", "));
    try {
      connector.openTcp(target.host(), target.port()).close();
      return StepResult.pass(
          STEP,
          target.authority()
              + " accepts TCP connections"
              + (resolved.equals(target.host())
                  ? ""
                  : " (" + target.host() + " is " + resolved + ")"));
    } catch (ConnectException e) {
      return StepResult.fail(
          STEP,
          target.authority() + " refused the connection",
          "nothing listens on " + target.authority(),
          "is Herald running, and on this port (it prints \"Herald listening on host:port\")? Is "
              + s.variable("PORT")
              + " the public port of the proxy in front of it (443 for https), not an internal one?");
    } catch (SocketTimeoutException e) {
      return StepResult.fail(
          STEP,
          target.authority() + " did not answer within " + connector.timeout().toSeconds() + " s",
          "a firewall drops the packets, or the host (" + resolved + ") is down",
          "open the port in the firewall / security group, or check " + s.variable("HOST"));
    } catch (NoRouteToHostException e) {
      return StepResult.fail(
          STEP,
          "no route to " + target.host() + " (" + resolved + ")",
          e.getMessage(),
          "check " + s.variable("HOST") + " and the network between this machine and the server");
    } catch (IOException e) {
      return StepResult.fail(STEP, "cannot connect to " + target.authority(), e.toString(), null);
    }
  }
}
