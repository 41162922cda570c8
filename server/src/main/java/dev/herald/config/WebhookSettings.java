package dev.herald.config;

/**
 * How webhooks are delivered, for every app. Immutable.
 *
 * @param batchMillis how long events for one target are gathered into one request
 * @param batchMax most events in one request
 * @param timeoutMillis one request's time limit
 * @param retrySeconds how long a failing delivery is retried before it is dropped
 * @param queueSize most undelivered events kept per target (in memory)
 * @param leaveDelayMillis how long channel_vacated and member_removed wait, cancelled if the
 *     channel or member is back by then
 */
public record WebhookSettings(
    int batchMillis,
    int batchMax,
    int timeoutMillis,
    int retrySeconds,
    int queueSize,
    int leaveDelayMillis) {

  static WebhookSettings from(Section section) {
    return new WebhookSettings(
        section.integer("webhook_batch_ms", 50, 0, 60_000),
        section.integer("webhook_batch_max", 50, 1, 10_000),
        section.integer("webhook_timeout_ms", 5_000, 100, 120_000),
        section.integer("webhook_retry_seconds", 300, 0, 86_400),
        section.integer("webhook_queue_size", 10_000, 1, 10_000_000),
        section.integer("webhook_leave_delay_ms", 1_000, 0, 60_000));
  }
}
