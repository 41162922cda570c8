package dev.herald.webhooks;

/**
 * A sealed webhook request waiting for delivery, as a {@link BatchStore} keeps it.
 *
 * @param id unique, so removing the head removes exactly this batch
 * @param firstAttemptMillis when it was sealed; the retry window counts from here
 */
public record StoredBatch(String id, WebhookBody body, long firstAttemptMillis) {}
