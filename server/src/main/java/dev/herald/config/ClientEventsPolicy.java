package dev.herald.config;

/** Who may send client events ({@code client-*}), as Reverb's {@code accept_client_events_from}. */
public enum ClientEventsPolicy {
  /** Only connections subscribed to the channel (Pusher's rule). */
  MEMBERS,
  /** Any connection of the app, subscribed or not. */
  ALL,
  /** Client events are refused. */
  NONE
}
