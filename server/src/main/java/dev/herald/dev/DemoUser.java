package dev.herald.dev;

import dev.herald.http.ApiException;
import java.util.regex.Pattern;

/**
 * The user the demo page signed in as: a fake login standing in for the Laravel session. The id
 * becomes part of a channel name ({@code private-App.Models.User.{id}}), so it keeps to characters
 * every channel name allows.
 *
 * @param id 1 to 32 of {@code A-Z a-z 0-9 _ -}
 * @param name 1 to 64 characters, no control characters
 */
record DemoUser(String id, String name) {
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,32}");
  private static final int MAX_NAME_LENGTH = 64;

  /**
   * @throws ApiException 403 when the page sent no user (not signed in), 400 when it is malformed
   */
  static DemoUser of(String id, String name) {
    if (id == null || name == null) {
      throw new ApiException(
          403, "Not signed in: the demo page sends user_id and user_name with each auth request");
    }
    if (!ID.matcher(id).matches()) {
      throw ApiException.badRequest("user_id must be 1 to 32 of A-Z, a-z, 0-9, _ and -");
    }
    String trimmed = name.strip();
    if (trimmed.isEmpty()
        || trimmed.length() > MAX_NAME_LENGTH
        || trimmed.chars().anyMatch(Character::isISOControl)) {
      throw ApiException.badRequest(
          "user_name must be 1 to " + MAX_NAME_LENGTH + " characters, without control characters");
    }
    return new DemoUser(id, trimmed);
  }
}
