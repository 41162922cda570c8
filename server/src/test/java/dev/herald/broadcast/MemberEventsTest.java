package dev.herald.broadcast;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.herald.config.AppConfig;
import dev.herald.protocol.ChannelName;
import dev.herald.webhooks.WebhookEvent;
import dev.herald.webhooks.Webhooks;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MemberEventsTest {
  private final AppConfig app = AppConfig.withDefaults("1", "key", "secret");

  /** Wants only the named events, and records what it was given. */
  private static final class Recording implements Webhooks {
    final Set<String> wanted;
    final List<String> emitted = new ArrayList<>();

    Recording(Set<String> wanted) {
      this.wanted = wanted;
    }

    @Override
    public void emit(AppConfig app, WebhookEvent event) {
      emitted.add(event.name() + " " + event.channel() + " " + event.fields());
    }

    @Override
    public boolean wants(AppConfig app, String eventName, String channel) {
      return wanted.contains(eventName);
    }
  }

  @Test
  void buildsNoWebhookEventNobodyWants() {
    Recording webhooks = new Recording(Set.of());
    MemberEvents events = new MemberEvents(null, webhooks);
    events.arrived(app, "presence-room", "alice", true, true);
    events.departed(app, "presence-room", "alice", true, true);
    events.subscriptionCount(app, ChannelName.parse("room", 200), 3);
    assertEquals(List.of(), webhooks.emitted);
  }

  @Test
  void buildsTheWantedEventsInTheirOrder() {
    Recording webhooks =
        new Recording(
            Set.of(
                WebhookEvent.MEMBER_ADDED,
                WebhookEvent.CHANNEL_VACATED,
                WebhookEvent.SUBSCRIPTION_COUNT));
    MemberEvents events = new MemberEvents(null, webhooks);
    events.arrived(app, "presence-room", "alice", true, true);
    events.departed(app, "presence-room", "alice", true, true);
    events.subscriptionCount(app, ChannelName.parse("room", 200), 3);
    events.subscriptionCount(app, ChannelName.parse("presence-room", 200), 3);
    assertEquals(
        List.of(
            "member_added presence-room {user_id=alice}",
            "channel_vacated presence-room {}",
            "subscription_count room {subscription_count=3}"),
        webhooks.emitted);
  }
}
