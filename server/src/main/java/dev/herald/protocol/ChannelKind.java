package dev.herald.protocol;

/** What a channel's name prefix makes it: who may subscribe, and what it allows. */
public enum ChannelKind {
  PUBLIC(false, false, false, false),
  CACHE(false, false, false, true),
  PRIVATE(true, false, true, false),
  PRIVATE_CACHE(true, false, true, true),
  PRIVATE_ENCRYPTED(true, false, false, false),
  PRIVATE_ENCRYPTED_CACHE(true, false, false, true),
  PRESENCE(true, true, true, false),
  PRESENCE_CACHE(true, true, true, true),
  /** {@code #server-to-user-{id}}: only a connection signed in as that user may subscribe. */
  SERVER_TO_USER(false, false, false, false);

  private final boolean requiresSignature;
  private final boolean presence;
  private final boolean acceptsClientEvents;
  private final boolean cache;

  ChannelKind(
      boolean requiresSignature, boolean presence, boolean acceptsClientEvents, boolean cache) {
    this.requiresSignature = requiresSignature;
    this.presence = presence;
    this.acceptsClientEvents = acceptsClientEvents;
    this.cache = cache;
  }

  /** The kind named by the longest matching prefix. */
  public static ChannelKind of(String name) {
    if (name.startsWith("private-encrypted-cache-")) {
      return PRIVATE_ENCRYPTED_CACHE;
    }
    if (name.startsWith("private-encrypted-")) {
      return PRIVATE_ENCRYPTED;
    }
    if (name.startsWith("private-cache-")) {
      return PRIVATE_CACHE;
    }
    if (name.startsWith("private-")) {
      return PRIVATE;
    }
    if (name.startsWith("presence-cache-")) {
      return PRESENCE_CACHE;
    }
    if (name.startsWith("presence-")) {
      return PRESENCE;
    }
    if (name.startsWith("cache-")) {
      return CACHE;
    }
    if (name.startsWith(ChannelName.SERVER_TO_USER_PREFIX)) {
      return SERVER_TO_USER;
    }
    return PUBLIC;
  }

  /** Private, encrypted and presence channels need a signed {@code auth} to subscribe. */
  public boolean requiresSignature() {
    return requiresSignature;
  }

  public boolean isPresence() {
    return presence;
  }

  public boolean acceptsClientEvents() {
    return acceptsClientEvents;
  }

  public boolean isCache() {
    return cache;
  }
}
