package dev.herald.websocket;

import dev.herald.channels.OutboundFrame;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes broadcast frames for one event loop's connections straight to their Netty channels, and
 * flushes each written channel once per pass of the loop instead of once per frame.
 *
 * <p>Why: under fan-out, the per-subscriber path through Vert.x (a frame object, the frame encoded
 * again, a flush, so a {@code write(2)}, for every subscriber and every event) was most of the
 * server's CPU. Here an event is copied once per loop into a direct buffer that every subscriber's
 * write shares (a retained duplicate, no copy), and the flush runs as a task queued behind whatever
 * the loop already has to do: events that arrive together leave in one {@code write(2)} per socket.
 * Confined to its event loop.
 */
final class FrameWriter {
  private final List<Session> unflushed = new ArrayList<>();
  private OutboundFrame encodedFrame;
  private ByteBuf encoded;
  private boolean flushScheduled;
  private final Runnable flushTask = this::flushAll;

  /** Queues the frame on the channel; it is flushed by the end of the loop's current pass. */
  void write(Session session, ChannelHandlerContext channel, OutboundFrame frame) {
    if (frame != encodedFrame) {
      release();
      encoded = channel.alloc().directBuffer(frame.wireLength());
      frame.writeWireTo(encoded);
      encodedFrame = frame;
    }
    channel.write(encoded.retainedDuplicate(), channel.voidPromise());
    flushLater(session, channel);
  }

  /**
   * Flushes what was written to the session's channel by the end of the loop's current pass: the
   * replies to a batch of frames read together, and the 101 with {@code connection_established},
   * leave in one {@code write(2)}.
   */
  void flushLater(Session session, ChannelHandlerContext channel) {
    if (session.markAwaitingFlush()) {
      unflushed.add(session);
    }
    if (!flushScheduled) {
      flushScheduled = true;
      channel.executor().execute(flushTask);
    }
  }

  private void flushAll() {
    flushScheduled = false;
    release();
    for (Session session : unflushed) {
      session.flush();
    }
    unflushed.clear();
  }

  private void release() {
    if (encoded != null) {
      encoded.release();
      encoded = null;
      encodedFrame = null;
    }
  }
}
