package dev.herald.channels;

/**
 * What the HTTP API reports about one channel.
 *
 * @param subscriptionCount connections subscribed
 * @param userCount distinct presence users (0 for other kinds)
 */
public record ChannelInfo(String name, int subscriptionCount, int userCount) {
  public boolean occupied() {
    return subscriptionCount > 0;
  }
}
