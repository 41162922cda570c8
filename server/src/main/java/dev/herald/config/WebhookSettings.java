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
        section.integer("webhook_batch_ms"),
        section.integer("webhook_batch_max"),
        section.integer("webhook_timeout_ms"),
        section.integer("webhook_retry_seconds"),
        section.integer("webhook_queue_size"),
        section.integer("webhook_leave_delay_ms"));
  }
}
