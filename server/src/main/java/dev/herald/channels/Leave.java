package dev.herald.channels;

/**
 * The outcome of removing a connection from a channel in the directory.
 *
 * @param channelVacated the channel went from 1 to 0 subscriptions
 * @param memberRemoved the user's last connection left this presence channel
 * @param membershipVersion the channel's membership version after this leave
 */
public record Leave(
    boolean channelVacated, boolean memberRemoved, int subscriptionCount, long membershipVersion) {}
