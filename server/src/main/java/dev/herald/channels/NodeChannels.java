package dev.herald.channels;

/**
 * The node-wide channel state, in memory or shared through Redis: who is subscribed where (counts
 * and presence members), who is signed in, and the last event of cache channels. One value, chosen
 * once by the composition root. Thread-safe, as each part is.
 */
public record NodeChannels(
    ChannelDirectory directory, OnlineUsers onlineUsers, ChannelCache cache) {}
