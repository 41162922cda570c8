package dev.herald.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.herald.bench.ProfileSummary.Summary;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** CPU shares from async-profiler's collapsed stacks ({@code root;...;leaf count}). */
class ProfileSummaryTest {

  /** 100 samples, one stack or more per category; the counts are each category's expected share. */
  private static final List<String> COLLAPSED =
      List.of(
          // kernel: a kernel leaf, then a libc system call entry under Herald's writer
          "java/lang/Thread.run;io/netty/channel/epoll/EpollEventLoop.run;"
              + "io/netty/channel/epoll/Native.epollWait;epoll_wait;"
              + "entry_SYSCALL_64_after_hwframe_[k];do_syscall_64_[k];__x64_sys_epoll_wait_[k] 35",
          "java/lang/Thread.run;io/netty/channel/epoll/EpollEventLoop.run;"
              + "dev/herald/websocket/FrameWriter.write;"
              + "io/netty/channel/unix/FileDescriptor.writeAddress;__GI___send 10",
          // JIT compiler: frames with spaces in them, the count is after the last one
          "thread_native_entry(Thread*);Thread::call_run();JavaThread::thread_main_inner();"
              + "CompileBroker::compiler_thread_loop();"
              + "C2Compiler::compile_method(ciEnv*, ciMethod*, int, bool, DirectiveSet*);"
              + "Compile::Optimize() 25",
          // GC and VM
          "thread_native_entry(Thread*);Thread::call_run();GangWorker::loop();"
              + "G1ParTask::work(unsigned int) 3",
          "thread_native_entry(Thread*);Thread::call_run();VMThread::run() 2",
          // Jackson: the innermost library wins over Herald and Vert.x above it
          "java/lang/Thread.run;io/vertx/core/http/impl/Http1xServerConnection.handleMessage;"
              + "dev/herald/websocket/ConnectionHandler.handle;dev/herald/protocol/FrameCodec.decode;"
              + "com/fasterxml/jackson/core/json/ReaderBasedJsonParser.nextToken 8",
          // Herald: JDK collections count for the library that called them
          "java/lang/Thread.run;io/vertx/core/impl/ContextImpl.emit;"
              + "dev/herald/channels/Subscriptions.add;java/util/HashMap.putVal;"
              + "java/util/HashMap.resize 6",
          // Netty: a native leaf that is not a system call counts for its Java caller
          "java/lang/Thread.run;io/netty/buffer/PooledByteBufAllocator.newDirectBuffer;"
              + "io/netty/buffer/PoolArena.allocate;__memset_avx2_unaligned_erms 3",
          "java/lang/Thread.run;io/vertx/core/http/impl/ServerWebSocketImpl.handleFrame 2",
          "java/lang/Thread.run;io/prometheus/client/exporter/common/TextFormat.write;"
              + "java/lang/StringBuilder.append 1",
          // JDK: nothing but JDK frames
          "java/lang/Thread.run;java/util/concurrent/ThreadPoolExecutor.runWorker;"
              + "java/util/concurrent/locks/LockSupport.parkNanos 4",
          "start_thread;[unknown] 1",
          // not samples
          "",
          "no-count");

  @Test
  void countsEachSampleOnceInTheFirstCategoryThatMatches() {
    Summary s = ProfileSummary.summarize(COLLAPSED, List.of());
    assertEquals(100, s.samples());
    Map<String, Long> expected = new LinkedHashMap<>();
    expected.put("kernel", 45L);
    expected.put("JIT compiler", 25L);
    expected.put("GC and VM", 5L);
    expected.put("Herald", 6L);
    expected.put("Vert.x", 2L);
    expected.put("Netty", 3L);
    expected.put("Jackson", 8L);
    expected.put("Micrometer", 1L);
    expected.put("JDK", 4L);
    expected.put("other", 1L);
    assertEquals(List.copyOf(expected.entrySet()), List.copyOf(s.byCategory().entrySet()));
  }

  @Test
  void countsEveryStackThroughAFrameForItsInclusiveShare() {
    Summary s =
        ProfileSummary.summarize(
            COLLAPSED, List.of("dev/herald/", "FrameWriter", "__GI___send", "tcp_v4_rcv"));
    // dev/herald/: the send under FrameWriter (10), the Jackson stack (8), the HashMap stack (6)
    assertEquals(
        List.of(
            Map.entry("dev/herald/", 24L),
            Map.entry("FrameWriter", 10L),
            Map.entry("__GI___send", 10L),
            Map.entry("tcp_v4_rcv", 0L)),
        List.copyOf(s.through().entrySet()));
  }

  @Test
  void aStackThroughTheSameFrameTwiceCountsOnce() {
    Summary s =
        ProfileSummary.summarize(
            List.of("dev/herald/A.run;dev/herald/B.call;dev/herald/A.run 7"), List.of("A.run"));
    assertEquals(Map.of("A.run", 7L), s.through());
  }

  @Test
  void printsSharesOfTheNonEmptyCategoriesThenTheFrames() {
    List<String> collapsed =
        List.of(
            "java/lang/Thread.run;dev/herald/websocket/FrameWriter.write;__GI___send 3",
            "java/lang/Thread.run;dev/herald/websocket/FrameWriter.write 4",
            "java/lang/Thread.run;io/netty/channel/nio/NioEventLoop.run 1");
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    ProfileSummary.print(ProfileSummary.summarize(collapsed, List.of("FrameWriter", "epoll")), out);
    assertEquals(
        String.join(
            System.lineSeparator(),
            "PROFILE samples=8",
            "  37.5 %  kernel",
            "  50.0 %  Herald",
            "  12.5 %  Netty",
            "  87.5 %  through FrameWriter (inclusive)",
            "   0.0 %  through epoll (inclusive)",
            ""),
        bytes.toString(StandardCharsets.UTF_8));
  }
}
