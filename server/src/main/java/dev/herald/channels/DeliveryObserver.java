package dev.herald.channels;

/**
 * Told, once per event loop and broadcast, how many subscribers got it and when it was published.
 */
@FunctionalInterface
public interface DeliveryObserver {
  void delivered(int subscribers, long publishedNanos);

  DeliveryObserver NONE = (subscribers, publishedNanos) -> {};
}
