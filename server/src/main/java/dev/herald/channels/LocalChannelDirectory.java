package dev.herald.channels;

import dev.herald.protocol.PresenceMember;
import dev.herald.protocol.ServerFrames;
import io.vertx.core.Future;
import java.util.AbstractCollection;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A {@link ChannelDirectory} for a single node, in memory.
 *
 * <p>Thread-safe: each channel's state changes only inside {@link ConcurrentHashMap#compute} for
 * its name, so concurrent joins and leaves on different event loops are serialised per channel and
 * a transition is reported exactly once. Reads lock the channel's state briefly.
 */
public final class LocalChannelDirectory implements ChannelDirectory {
  private final Map<String, ConcurrentHashMap<String, ChannelState>> apps =
      new ConcurrentHashMap<>();

  @Override
  public Future<Join> join(
      String appId, String channel, String socketId, PresenceMember member, int maxMembers) {
    Join[] result = new Join[1];
    channelsOf(appId)
        .compute(
            channel,
            (name, state) -> {
              ChannelState current = state == null ? new ChannelState() : state;
              result[0] = current.join(name, member, maxMembers);
              return current.isEmpty() ? null : current;
            });
    return Future.succeededFuture(result[0]);
  }

  @Override
  public Future<Leave> leave(String appId, String channel, String socketId, String userId) {
    Leave[] result = {new Leave(false, false, 0, 0)};
    ConcurrentHashMap<String, ChannelState> channels = apps.get(appId);
    if (channels != null) {
      channels.computeIfPresent(
          channel,
          (name, state) -> {
            result[0] = state.leave(userId);
            return state.isEmpty() ? null : state;
          });
    }
    return Future.succeededFuture(result[0]);
  }

  @Override
  public Future<List<ChannelInfo>> channels(String appId, String prefix) {
    List<ChannelInfo> infos = new ArrayList<>();
    ConcurrentHashMap<String, ChannelState> channels = apps.get(appId);
    if (channels != null) {
      channels.forEach(
          (name, state) -> {
            if (name.startsWith(prefix)) {
              ChannelInfo info = state.info(name);
              if (info.occupied()) {
                infos.add(info);
              }
            }
          });
    }
    infos.sort(Comparator.comparing(ChannelInfo::name));
    return Future.succeededFuture(infos);
  }

  @Override
  public Future<ChannelInfo> channel(String appId, String channel) {
    ConcurrentHashMap<String, ChannelState> channels = apps.get(appId);
    ChannelState state = channels == null ? null : channels.get(channel);
    return Future.succeededFuture(
        state == null ? new ChannelInfo(channel, 0, 0) : state.info(channel));
  }

  @Override
  public Future<List<PresenceMember>> members(String appId, String channel) {
    ConcurrentHashMap<String, ChannelState> channels = apps.get(appId);
    ChannelState state = channels == null ? null : channels.get(channel);
    return Future.succeededFuture(state == null ? List.of() : state.members());
  }

  private ConcurrentHashMap<String, ChannelState> channelsOf(String appId) {
    return apps.computeIfAbsent(appId, id -> new ConcurrentHashMap<>());
  }

  /** One channel's counts and presence members. Every method holds the instance lock. */
  private static final class ChannelState {
    private int subscriptions;

    /** Counts member additions and removals, so stale member events can be recognised. */
    private long membershipVersion;

    /**
     * user id → member and how many of this node's connections it has in the channel; null until a
     * member joins (most channels are not presence channels, and a node holds many channels).
     */
    private LinkedHashMap<String, MemberEntry> members;

    /** The members as a read-only view over the map, for encoding without a copy. */
    private static final class MemberView extends AbstractCollection<PresenceMember> {
      private final Map<String, MemberEntry> members;

      MemberView(Map<String, MemberEntry> members) {
        this.members = members;
      }

      @Override
      public Iterator<PresenceMember> iterator() {
        Iterator<MemberEntry> entries = members.values().iterator();
        return new Iterator<>() {
          @Override
          public boolean hasNext() {
            return entries.hasNext();
          }

          @Override
          public PresenceMember next() {
            return entries.next().member;
          }
        };
      }

      @Override
      public int size() {
        return members.size();
      }
    }

    /**
     * The presence subscription_succeeded frame for the current members, built by the first join
     * that needs it and shared by the joins after it until the membership changes: a second
     * connection of a member costs no encoding. Bounded like the members it lists.
     */
    private String presenceSucceeded;

    private static final class MemberEntry {
      final PresenceMember member;
      int connections;

      MemberEntry(PresenceMember member) {
        this.member = member;
      }
    }

    synchronized Join join(String channel, PresenceMember member, int maxMembers) {
      boolean memberAdded = false;
      if (member != null) {
        if (members == null) {
          members = new LinkedHashMap<>();
        }
        MemberEntry entry = members.get(member.userId());
        if (entry == null) {
          if (members.size() >= maxMembers) {
            return Join.full();
          }
          entry = new MemberEntry(member);
          members.put(member.userId(), entry);
          memberAdded = true;
          membershipVersion++;
          presenceSucceeded = null;
        }
        entry.connections++;
        if (presenceSucceeded == null) {
          presenceSucceeded =
              ServerFrames.presenceSubscriptionSucceeded(channel, new MemberView(members));
        }
      }
      subscriptions++;
      return new Join(
          true,
          subscriptions == 1,
          memberAdded,
          member == null ? null : presenceSucceeded,
          subscriptions,
          membershipVersion);
    }

    synchronized Leave leave(String userId) {
      if (subscriptions == 0) {
        return new Leave(false, false, 0, membershipVersion);
      }
      subscriptions--;
      boolean memberRemoved = false;
      if (userId != null && members != null) {
        MemberEntry entry = members.get(userId);
        if (entry != null && --entry.connections == 0) {
          members.remove(userId);
          memberRemoved = true;
          membershipVersion++;
          presenceSucceeded = null;
        }
      }
      return new Leave(subscriptions == 0, memberRemoved, subscriptions, membershipVersion);
    }

    synchronized boolean isEmpty() {
      return subscriptions == 0;
    }

    synchronized ChannelInfo info(String name) {
      return new ChannelInfo(name, subscriptions, members == null ? 0 : members.size());
    }

    synchronized List<PresenceMember> members() {
      if (members == null) {
        return List.of();
      }
      List<PresenceMember> list = new ArrayList<>(members.size());
      members.values().forEach(entry -> list.add(entry.member));
      return list;
    }
  }
}
