package dev.herald.channels;

/**
 * The outcome of adding a connection to a channel in the directory: the transitions it caused, for
 * the caller to act on (send member_added, fire webhooks).
 *
 * @param accepted false when a presence channel is full and the user is new
 * @param channelOccupied the channel went from 0 to 1 subscriptions
 * @param memberAdded the user had no other connection in this presence channel
 * @param presenceSucceeded for a presence channel, the joining client's {@code
 *     pusher_internal:subscription_succeeded} frame listing the members after the join, in join
 *     order; the same String for every join that saw the same membership. Null for other kinds
 * @param membershipVersion how many membership changes the channel has seen, this one included:
 *     member events older than a subscriber's snapshot are not sent to it
 */
public record Join(
    boolean accepted,
    boolean channelOccupied,
    boolean memberAdded,
    String presenceSucceeded,
    int subscriptionCount,
    long membershipVersion) {

  public static Join full() {
    return new Join(false, false, false, null, 0, 0);
  }
}
