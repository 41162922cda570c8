package dev.herald.protocol;

/**
 * One user in a presence channel.
 *
 * @param userId the id, always a string on the wire even when the app sent a number
 * @param userInfoJson the {@code user_info} object as JSON text, or null when none was given
 */
public record PresenceMember(String userId, String userInfoJson) {}
