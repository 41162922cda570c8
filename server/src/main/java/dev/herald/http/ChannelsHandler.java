package dev.herald.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.channels.CachedEvent;
import dev.herald.channels.ChannelCache;
import dev.herald.channels.ChannelDirectory;
import dev.herald.channels.ChannelInfo;
import dev.herald.config.AppConfig;
import dev.herald.protocol.ChannelName;
import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;

/**
 * The channel queries: {@code GET /apps/{id}/channels}, {@code …/channels/{name}} and {@code
 * …/channels/{name}/users}, answered from the {@link ChannelDirectory}. Thread-safe.
 */
final class ChannelsHandler {
  private final ChannelDirectory directory;
  private final ChannelCache cache;
  private final Clock clock;

  ChannelsHandler(ChannelDirectory directory, ChannelCache cache, Clock clock) {
    this.directory = directory;
    this.cache = cache;
    this.clock = clock;
  }

  void list(RoutingContext context) {
    AppConfig app = context.get(RequestAuthenticator.APP);
    String effectivePrefix = RequestAuthenticator.query(context).get("filter_by_prefix").orElse("");
    Set<String> info = info(context, "user_count", "subscription_count");
    if (info.contains("user_count") && !effectivePrefix.startsWith("presence-")) {
      throw ApiException.badRequest(
          "info=user_count is only allowed with filter_by_prefix=presence-");
    }
    directory
        .channels(app.id(), effectivePrefix)
        .onFailure(context::fail)
        .onSuccess(
            channels -> {
              ObjectNode body = Responses.MAPPER.createObjectNode();
              ObjectNode list = body.putObject("channels");
              for (ChannelInfo channel : channels) {
                ObjectNode attributes = list.putObject(channel.name());
                if (info.contains("user_count")) {
                  attributes.put("user_count", channel.userCount());
                }
                if (info.contains("subscription_count")) {
                  attributes.put("subscription_count", channel.subscriptionCount());
                }
              }
              Responses.json(context, 200, body);
            });
  }

  void one(RoutingContext context) {
    AppConfig app = context.get(RequestAuthenticator.APP);
    ChannelName channel = channelParam(context, app);
    Set<String> info = info(context, "user_count", "subscription_count", "cache");
    boolean presence = channel.kind().isPresence();
    if (info.contains("user_count") && !presence) {
      throw ApiException.badRequest("info=user_count is only available for presence channels");
    }
    if (info.contains("cache") && !channel.kind().isCache()) {
      throw ApiException.badRequest("info=cache is only available for cache channels");
    }
    Future<Optional<CachedEvent>> cached =
        info.contains("cache")
            ? cache.get(app.id(), channel.value())
            : Future.succeededFuture(Optional.empty());
    Future<ChannelInfo> channelInfo = directory.channel(app.id(), channel.value());
    Future.all(channelInfo, cached)
        .onFailure(context::fail)
        .onSuccess(
            all -> {
              ChannelInfo found = channelInfo.result();
              ObjectNode body = Responses.MAPPER.createObjectNode();
              body.put("occupied", found.occupied());
              if (info.contains("user_count")) {
                body.put("user_count", found.userCount());
              }
              // Pusher's SDK documentation lists subscription_count for presence channels as
              // well (connections, where user_count is distinct users); Soketi and Sockudo
              // return it.
              if (info.contains("subscription_count")) {
                body.put("subscription_count", found.subscriptionCount());
              }
              if (info.contains("cache")) {
                if (cached.result().isEmpty()) {
                  body.putNull("cache");
                } else {
                  CachedEvent event = cached.result().get();
                  ObjectNode cacheNode = body.putObject("cache");
                  cacheNode.put("event", event.event());
                  cacheNode.put("data", event.data());
                  cacheNode.put("ttl", event.ttlSeconds(clock.millis()));
                }
              }
              Responses.json(context, 200, body);
            });
  }

  void users(RoutingContext context) {
    AppConfig app = context.get(RequestAuthenticator.APP);
    ChannelName channel = channelParam(context, app);
    if (!channel.kind().isPresence()) {
      throw ApiException.badRequest("Users can only be listed for presence channels");
    }
    directory
        .members(app.id(), channel.value())
        .onFailure(context::fail)
        .onSuccess(
            members -> {
              ObjectNode body = Responses.MAPPER.createObjectNode();
              ArrayNode users = body.putArray("users");
              members.forEach(member -> users.addObject().put("id", member.userId()));
              Responses.json(context, 200, body);
            });
  }

  private static ChannelName channelParam(RoutingContext context, AppConfig app) {
    try {
      return ChannelName.parse(context.pathParam("channelName"), app.maxChannelNameLength());
    } catch (ChannelName.InvalidChannelNameException e) {
      throw ApiException.badRequest(e.getMessage());
    }
  }

  private static Set<String> info(RoutingContext context, String... allowed) {
    Set<String> attributes = new LinkedHashSet<>();
    String info = RequestAuthenticator.query(context).get("info").orElse(null);
    if (info == null) {
      return attributes;
    }
    Set<String> known = Set.of(allowed);
    for (String attribute : info.split(",")) {
      String trimmed = attribute.trim();
      if (trimmed.isEmpty()) {
        continue;
      }
      if (!known.contains(trimmed)) {
        throw ApiException.badRequest("Unknown info attribute " + trimmed);
      }
      attributes.add(trimmed);
    }
    return attributes;
  }
}
