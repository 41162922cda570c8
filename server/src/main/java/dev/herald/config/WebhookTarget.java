package dev.herald.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One URL an app's webhooks are posted to, with the event types it wants, extra headers and an
 * optional channel-name filter. Immutable.
 *
 * @param eventTypes the event names sent there; all of them when the configuration names none
 * @param channelPrefix only events of channels starting with it (null: any)
 * @param channelSuffix only events of channels ending with it (null: any)
 */
public record WebhookTarget(
    String url,
    Set<String> eventTypes,
    Map<String, String> headers,
    String channelPrefix,
    String channelSuffix) {

  /** Every webhook event Herald sends. */
  public static final Set<String> EVENT_TYPES =
      Set.of(
          "channel_occupied",
          "channel_vacated",
          "member_added",
          "member_removed",
          "client_event",
          "cache_miss",
          "subscription_count");

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Set<String> KEYS = Set.of("url", "event_types", "headers", "filter");
  private static final Set<String> FILTER_KEYS =
      Set.of("channel_name_starts_with", "channel_name_ends_with");

  public WebhookTarget {
    eventTypes = Set.copyOf(eventTypes);
    headers = Map.copyOf(headers);
  }

  public boolean wants(String eventType, String channel) {
    return eventTypes.contains(eventType)
        && (channelPrefix == null || (channel != null && channel.startsWith(channelPrefix)))
        && (channelSuffix == null || (channel != null && channel.endsWith(channelSuffix)));
  }

  /** Parses the JSON list of targets, e.g. the value of {@code HERALD_APP_WEBHOOKS}. */
  public static List<WebhookTarget> parseList(String json, String source) {
    JsonNode list;
    try {
      list = MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      throw new ConfigException(
          source, "must be a JSON list of webhooks: " + e.getOriginalMessage());
    }
    if (list == null || list.isNull()) {
      return List.of();
    }
    if (!list.isArray()) {
      throw new ConfigException(source, "must be a list of webhooks");
    }
    List<WebhookTarget> targets = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      targets.add(parse(list.get(i), source + "[" + i + "]"));
    }
    return List.copyOf(targets);
  }

  private static WebhookTarget parse(JsonNode node, String where) {
    if (!node.isObject()) {
      throw new ConfigException(where, "must be a map with url (and event_types, headers, filter)");
    }
    checkKeys(node, KEYS, where);
    JsonNode urlNode = node.get("url");
    if (urlNode == null || !urlNode.isTextual()) {
      throw new ConfigException(where + ".url", "is required");
    }
    String url = urlNode.textValue().trim();
    URI uri;
    try {
      uri = URI.create(url);
    } catch (IllegalArgumentException e) {
      // Neither this message nor the next quotes the URL: a token often sits in it.
      throw new ConfigException(where + ".url", "not a URL: " + ConfigException.withoutInput(e));
    }
    if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
        || uri.getHost() == null) {
      throw new ConfigException(
          where + ".url",
          "must be an http:// or https:// URL with a host, got "
              + (uri.getScheme() == null ? "no scheme" : uri.getScheme() + "://"));
    }
    Set<String> types = new LinkedHashSet<>(EVENT_TYPES);
    JsonNode typesNode = node.get("event_types");
    if (typesNode != null && !typesNode.isNull()) {
      if (!typesNode.isArray()) {
        throw new ConfigException(where + ".event_types", "must be a list of event names");
      }
      types.clear();
      for (JsonNode type : typesNode) {
        if (!type.isTextual() || !EVENT_TYPES.contains(type.textValue())) {
          throw new ConfigException(
              where + ".event_types",
              "unknown event " + type + "; known: " + new java.util.TreeSet<>(EVENT_TYPES));
        }
        types.add(type.textValue());
      }
    }
    Map<String, String> headers = new LinkedHashMap<>();
    JsonNode headersNode = node.get("headers");
    if (headersNode != null && !headersNode.isNull()) {
      if (!headersNode.isObject()) {
        throw new ConfigException(where + ".headers", "must be a map of header names to values");
      }
      headersNode
          .fields()
          .forEachRemaining(header -> headers.put(header.getKey(), header.getValue().asText()));
    }
    String prefix = null;
    String suffix = null;
    JsonNode filter = node.get("filter");
    if (filter != null && !filter.isNull()) {
      if (!filter.isObject()) {
        throw new ConfigException(where + ".filter", "must be a map");
      }
      checkKeys(filter, FILTER_KEYS, where + ".filter");
      prefix =
          filter.hasNonNull("channel_name_starts_with")
              ? filter.get("channel_name_starts_with").asText()
              : null;
      suffix =
          filter.hasNonNull("channel_name_ends_with")
              ? filter.get("channel_name_ends_with").asText()
              : null;
    }
    return new WebhookTarget(url, types, headers, prefix, suffix);
  }

  private static void checkKeys(JsonNode node, Set<String> allowed, String where) {
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String key = it.next();
      if (!allowed.contains(key)) {
        throw new ConfigException(
            where + "." + key, "unknown key; known keys: " + new java.util.TreeSet<>(allowed));
      }
    }
  }
}
