package dev.herald.dev;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.auth.ChannelAuthorizer;
import dev.herald.config.AppConfig;
import dev.herald.http.ApiException;
import dev.herald.protocol.ChannelKind;
import dev.herald.protocol.ChannelName;
import io.vertx.core.MultiMap;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The demo's stand-in for Laravel's {@code POST /broadcasting/auth}: signs a private or presence
 * subscription for the user the page says it is, with the rules a Laravel app writes in {@code
 * routes/channels.php}: {@code App.Models.User.{id}} only for that user, other private channels for
 * anyone signed in, presence channels with {@code {id, name}} as the member's info. Takes the form
 * pusher-js posts ({@code socket_id}, {@code channel_name}, plus {@code user_id} and {@code
 * user_name}) or the same fields as JSON. Thread-safe.
 */
final class DevAuthHandler {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Pattern SOCKET_ID = Pattern.compile("\\d{1,20}\\.\\d{1,20}");

  /** Laravel's default notification channel for a user: {@code App.Models.User.{id}}. */
  private static final Pattern USER_CHANNEL =
      Pattern.compile("private-(?:cache-)?App\\.Models\\.User\\.(.+)");

  private final AppConfig app;

  DevAuthHandler(AppConfig app) {
    this.app = app;
  }

  void authorize(RoutingContext context) {
    Map<String, String> input = input(context);
    String socketId = input.get("socket_id");
    if (socketId == null || !SOCKET_ID.matcher(socketId).matches()) {
      throw ApiException.badRequest("socket_id must look like 1234.5678");
    }
    ChannelName channel;
    try {
      channel = ChannelName.parse(input.get("channel_name"), app.maxChannelNameLength());
    } catch (ChannelName.InvalidChannelNameException e) {
      throw ApiException.badRequest("channel_name: " + e.getMessage());
    }
    ChannelKind kind = channel.kind();
    if (!kind.requiresSignature()) {
      throw ApiException.badRequest(
          "channel_name: only private- and presence- channels are authorised; "
              + channel.value()
              + " needs no signature");
    }
    if (kind == ChannelKind.PRIVATE_ENCRYPTED || kind == ChannelKind.PRIVATE_ENCRYPTED_CACHE) {
      throw ApiException.badRequest(
          "channel_name: the demo does not sign encrypted channels (they need the app's"
              + " encryption master key)");
    }
    DemoUser user = DemoUser.of(input.get("user_id"), input.get("user_name"));

    ObjectNode answer = MAPPER.createObjectNode();
    if (kind.isPresence()) {
      ObjectNode member = MAPPER.createObjectNode();
      member.put("user_id", user.id());
      member.putObject("user_info").put("id", user.id()).put("name", user.name());
      String channelData = member.toString();
      answer.put(
          "auth", ChannelAuthorizer.expectedAuth(app, socketId, channel.value(), channelData));
      answer.put("channel_data", channelData);
    } else {
      var owner = USER_CHANNEL.matcher(channel.value());
      if (owner.matches() && !owner.group(1).equals(user.id())) {
        throw new ApiException(
            403,
            channel.value() + " belongs to user " + owner.group(1) + ", not to user " + user.id());
      }
      answer.put("auth", ChannelAuthorizer.expectedAuth(app, socketId, channel.value(), null));
    }
    DevRoutes.json(context, 200, answer);
  }

  /** The request's fields, from a form (what pusher-js posts) or a JSON object. */
  private static Map<String, String> input(RoutingContext context) {
    String type = DevRoutes.mediaType(context);
    Map<String, String> fields = new HashMap<>();
    if (type.equals("application/x-www-form-urlencoded")) {
      MultiMap form = context.request().formAttributes();
      for (String name : form.names()) {
        if (form.getAll(name).size() > 1) {
          throw ApiException.badRequest(name + " is given more than once");
        }
        fields.put(name, form.get(name));
      }
      return fields;
    }
    if (type.equals("application/json")) {
      JsonNode body;
      try {
        body = MAPPER.readTree(context.body().buffer().getBytes());
      } catch (IOException | RuntimeException e) {
        throw ApiException.badRequest("Request body is not valid JSON");
      }
      if (body == null || !body.isObject()) {
        throw ApiException.badRequest("Request body must be a JSON object");
      }
      body.fields()
          .forEachRemaining(
              field -> {
                if (!field.getValue().isValueNode() || field.getValue().isNull()) {
                  throw ApiException.badRequest(field.getKey() + " must be a string");
                }
                fields.put(field.getKey(), field.getValue().asText());
              });
      return fields;
    }
    throw new ApiException(
        415, "Content-Type must be application/x-www-form-urlencoded or application/json");
  }
}
