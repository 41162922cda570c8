package dev.herald.broadcast;

import dev.herald.config.AppConfig;
import dev.herald.webhooks.WebhookEvent;
import dev.herald.webhooks.Webhooks;

/**
 * Watches what happens on this node without taking part in it: connections opening and closing,
 * events published through the HTTP API (or the console's and the demo's forms), and every webhook
 * event as it is handed to the dispatcher. The debug console is one; with the console off the node
 * uses {@link #NONE}. Implementations never block and never fail the caller. Thread-safe.
 */
public interface NodeObserver {
  /** A WebSocket connection opened or closed. */
  void connection(String appId, String socketId, boolean opened);

  /** An event published to one channel by the server side (not a client event). */
  void apiEvent(String appId, String channel, String event, String data, String excludeSocketId);

  /** A webhook event, seen beside the dispatcher that delivers it. */
  void webhook(AppConfig app, WebhookEvent event);

  /**
   * The webhook sink the rest of the node reports to: the dispatcher, and this observer beside it
   * (the dispatcher does not know it is watched). A watching observer wants every event, whether or
   * not the app has a target for it.
   */
  default Webhooks beside(Webhooks dispatcher) {
    return new Webhooks() {
      @Override
      public void emit(AppConfig app, WebhookEvent event) {
        dispatcher.emit(app, event);
        webhook(app, event);
      }

      @Override
      public boolean wants(AppConfig app, String eventName, String channel) {
        return true;
      }
    };
  }

  /** Nobody is watching. */
  NodeObserver NONE =
      new NodeObserver() {
        @Override
        public void connection(String appId, String socketId, boolean opened) {}

        @Override
        public void apiEvent(
            String appId, String channel, String event, String data, String excludeSocketId) {}

        @Override
        public void webhook(AppConfig app, WebhookEvent event) {}

        @Override
        public Webhooks beside(Webhooks dispatcher) {
          return dispatcher;
        }
      };
}
