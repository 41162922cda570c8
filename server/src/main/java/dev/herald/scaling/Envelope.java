package dev.herald.scaling;

import dev.herald.channels.OutboundFrame;

/**
 * One encoded frame on its way to a channel's subscribers. Immutable: the same bytes are written to
 * every subscriber.
 *
 * @param excludeSocketId the connection that must not receive it (the sender, or the API caller's
 *     {@code socket_id}), or null
 */
public record Envelope(String appId, String channel, OutboundFrame frame, String excludeSocketId) {}
