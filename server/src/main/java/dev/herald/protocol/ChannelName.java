package dev.herald.protocol;

import java.util.regex.Pattern;

/**
 * A channel name that passed the naming rules, with its kind.
 *
 * @param value the name as the client or API caller wrote it
 * @param kind what its prefix makes it
 */
public record ChannelName(String value, ChannelKind kind) {

  public static final String SERVER_TO_USER_PREFIX = "#server-to-user-";

  /**
   * Internal channels carrying a user's online/offline notices to its watchers. The {@code #} makes
   * them impossible for clients or API callers to name.
   */
  public static final String WATCHLIST_PREFIX = "#watchlist-";

  private static final Pattern ALLOWED = Pattern.compile("[A-Za-z0-9_\\-=@,.;]+");

  /** Why a name was refused. */
  public enum Problem {
    EMPTY,
    TOO_LONG,
    INVALID_CHARACTERS
  }

  /** Thrown by {@link #parse} with the rule that the name broke. */
  public static final class InvalidChannelNameException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final Problem problem;

    InvalidChannelNameException(Problem problem, String message) {
      super(message, null, false, false);
      this.problem = problem;
    }

    public Problem problem() {
      return problem;
    }
  }

  /**
   * Checks a name against the character set and the length limit. A leading {@code #} is allowed
   * only for {@code #server-to-user-{id}}, whose id follows the same character rules.
   */
  public static ChannelName parse(String name, int maxLength) {
    if (name == null || name.isEmpty()) {
      throw new InvalidChannelNameException(Problem.EMPTY, "Channel name is empty");
    }
    if (name.length() > maxLength) {
      throw new InvalidChannelNameException(
          Problem.TOO_LONG,
          "Channel name is " + name.length() + " characters long; the limit is " + maxLength);
    }
    String checked = name;
    if (name.startsWith("#")) {
      if (!name.startsWith(SERVER_TO_USER_PREFIX)
          || name.length() == SERVER_TO_USER_PREFIX.length()) {
        throw new InvalidChannelNameException(
            Problem.INVALID_CHARACTERS, "Channel names starting with # are reserved: " + name);
      }
      checked = name.substring(SERVER_TO_USER_PREFIX.length());
    }
    if (!ALLOWED.matcher(checked).matches()) {
      throw new InvalidChannelNameException(
          Problem.INVALID_CHARACTERS,
          "Channel name may only contain A-Z, a-z, 0-9, _, -, =, @, ',', . and ;");
    }
    return new ChannelName(name, ChannelKind.of(name));
  }

  /** For {@code #server-to-user-{id}} channels, the user id; otherwise null. */
  public String serverToUserId() {
    return kind == ChannelKind.SERVER_TO_USER
        ? value.substring(SERVER_TO_USER_PREFIX.length())
        : null;
  }
}
