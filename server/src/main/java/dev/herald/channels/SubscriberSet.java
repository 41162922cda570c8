package dev.herald.channels;

import java.util.Arrays;
import java.util.LinkedHashSet;

/**
 * The subscribers of one channel (or one user, or one app) on one event loop. Most channels have
 * one or a few local subscribers (a user's private channel, an order's page), and a node holds as
 * many of them as connections: up to {@link #SMALL} subscribers live in a plain array (one object
 * and an array of a few slots), and only a larger set becomes a {@link LinkedHashSet}. Delivery
 * works on a {@link #snapshot}, so a subscriber may leave the set while a frame is being written to
 * it. Confined to its event loop.
 */
final class SubscriberSet {
  /** Up to this many, membership is checked by scanning the array. */
  static final int SMALL = 8;

  private Subscriber[] small = new Subscriber[1];
  private int size;

  /** Non-null once the set outgrew {@link #SMALL}; then {@link #small} is null. */
  private LinkedHashSet<Subscriber> large;

  /** Adds the subscriber unless it is already in the set. */
  void add(Subscriber subscriber) {
    if (large != null) {
      large.add(subscriber);
      return;
    }
    if (indexOf(subscriber) >= 0) {
      return;
    }
    if (size == SMALL) {
      large = new LinkedHashSet<>(Arrays.asList(small));
      large.add(subscriber);
      small = null;
      size = 0;
      return;
    }
    if (size == small.length) {
      small = Arrays.copyOf(small, Math.min(SMALL, size * 2));
    }
    small[size++] = subscriber;
  }

  /** Removes the subscriber; true if it was there. */
  boolean remove(Subscriber subscriber) {
    if (large != null) {
      return large.remove(subscriber);
    }
    int index = indexOf(subscriber);
    if (index < 0) {
      return false;
    }
    // Order among subscribers carries no meaning: the last one fills the gap.
    small[index] = small[--size];
    small[size] = null;
    return true;
  }

  boolean isEmpty() {
    return large != null ? large.isEmpty() : size == 0;
  }

  int size() {
    return large != null ? large.size() : size;
  }

  /** A copy of the members, safe to iterate while the set changes. */
  Subscriber[] snapshot() {
    return large != null ? large.toArray(new Subscriber[0]) : Arrays.copyOf(small, size);
  }

  private int indexOf(Subscriber subscriber) {
    for (int i = 0; i < size; i++) {
      if (small[i] == subscriber) {
        return i;
      }
    }
    return -1;
  }
}
