package dev.herald.websocket;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One connection's channels by name, the reverse index used on disconnect. A connection usually
 * holds one or a few channels and a node holds many connections: up to {@link #SMALL} subscriptions
 * are kept in an array searched by name, and only a connection holding more gets a hash map.
 * Confined to the connection's event loop.
 */
final class SessionSubscriptions {
  static final int SMALL = 8;

  private Session.Subscription[] small = new Session.Subscription[1];
  private int size;

  /** Non-null once the connection holds more than {@link #SMALL} channels; then small is null. */
  private Map<String, Session.Subscription> large;

  Session.Subscription get(String channel) {
    if (large != null) {
      return large.get(channel);
    }
    int index = indexOf(channel);
    return index < 0 ? null : small[index];
  }

  boolean containsKey(String channel) {
    return get(channel) != null;
  }

  /** Sets the channel's subscription, replacing any. */
  void put(String channel, Session.Subscription subscription) {
    if (large != null) {
      large.put(channel, subscription);
      return;
    }
    int index = indexOf(channel);
    if (index >= 0) {
      small[index] = subscription;
      return;
    }
    if (size == SMALL) {
      large = new HashMap<>();
      for (int i = 0; i < size; i++) {
        large.put(small[i].channel().value(), small[i]);
      }
      large.put(channel, subscription);
      small = null;
      size = 0;
      return;
    }
    if (size == small.length) {
      small = Arrays.copyOf(small, Math.min(SMALL, size * 2));
    }
    small[size++] = subscription;
  }

  /** Removes the channel's subscription and returns it, or null if there was none. */
  Session.Subscription remove(String channel) {
    if (large != null) {
      return large.remove(channel);
    }
    int index = indexOf(channel);
    if (index < 0) {
      return null;
    }
    Session.Subscription removed = small[index];
    small[index] = small[--size];
    small[size] = null;
    return removed;
  }

  int size() {
    return large != null ? large.size() : size;
  }

  /** The channel names, as a copy safe to iterate while subscriptions change. */
  List<String> keySet() {
    if (large != null) {
      return new ArrayList<>(large.keySet());
    }
    List<String> names = new ArrayList<>(size);
    for (int i = 0; i < size; i++) {
      names.add(small[i].channel().value());
    }
    return names;
  }

  private int indexOf(String channel) {
    for (int i = 0; i < size; i++) {
      if (small[i].channel().value().equals(channel)) {
        return i;
      }
    }
    return -1;
  }
}
