package dev.herald.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.herald.bench.HeapDiff.Count;
import dev.herald.bench.HeapDiff.PerConnection;
import dev.herald.bench.HeapDiff.Row;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Heap per connection from two {@code jmap -histo:live} outputs, as JDK 17 prints them. */
class HeapDiffTest {

  private static final List<String> BEFORE =
      List.of(
          " num     #instances         #bytes  class name (module)",
          "-------------------------------------------------------",
          "   1:          5000         400000  [B (java.base@17.0.13)",
          "   2:          4000          96000  java.lang.String (java.base@17.0.13)",
          "   3:           100           3200  java.util.HashMap$Node (java.base@17.0.13)",
          "   4:            50           2400  jdk.internal.ref.CleanerImpl$PhantomCleanableRef"
              + " (java.base@17.0.13)",
          "   5:            10            640  io.netty.channel.epoll.EpollSocketChannel",
          "   6:             2            160  [Lio.netty.buffer.PoolSubpage;",
          "Total          9162         502400");

  /** 100 connections later: a Herald session, a Vert.x WebSocket and a Netty channel each. */
  private static final List<String> AFTER =
      List.of(
          " num     #instances         #bytes  class name (module)",
          "-------------------------------------------------------",
          "   1:          5600         480000  [B (java.base@17.0.13)",
          "   2:          4300         103200  java.lang.String (java.base@17.0.13)",
          "   3:           100           9600  io.vertx.core.http.impl.ServerWebSocketImpl",
          "   4:           220           7040  java.util.HashMap$Node (java.base@17.0.13)",
          "   5:           110           7040  io.netty.channel.epoll.EpollSocketChannel",
          "   6:           100           3200  dev.herald.websocket.Session",
          "   7:             3            240  [Lio.netty.buffer.PoolSubpage;",
          "Total         10433         610320");

  private static final double EXACT = 1e-9;

  @Test
  void parsesClassRowsAndSkipsHeaderAndTotal() {
    assertEquals(
        Map.of(
            "[B", new Count(5000, 400000),
            "java.lang.String", new Count(4000, 96000),
            "java.util.HashMap$Node", new Count(100, 3200),
            "jdk.internal.ref.CleanerImpl$PhantomCleanableRef", new Count(50, 2400),
            "io.netty.channel.epoll.EpollSocketChannel", new Count(10, 640),
            "[Lio.netty.buffer.PoolSubpage;", new Count(2, 160)),
        HeapDiff.parse(BEFORE));
  }

  @Test
  void addsUpRowsOfTheSameClassNameFromDifferentLoaders() {
    List<String> histogram =
        List.of(
            "   1:            10            160  dev.herald.Thing",
            "   2:             5             80  dev.herald.Thing",
            "Total            15            240");
    assertEquals(Map.of("dev.herald.Thing", new Count(15, 240)), HeapDiff.parse(histogram));
  }

  @Test
  void totalPerConnectionIsTheDifferenceOfTheTotalLinesOverTheConnections() {
    PerConnection diff = HeapDiff.diff(HeapDiff.parse(BEFORE), HeapDiff.parse(AFTER), 100);
    // (610320 - 502400) / 100, including the cleaners that were freed.
    assertEquals(1079.2, diff.bytes(), EXACT);
    assertEquals(100, diff.connections());
  }

  @Test
  void sumsBytesPerOwnerLargestFirst() {
    PerConnection diff = HeapDiff.diff(HeapDiff.parse(BEFORE), HeapDiff.parse(AFTER), 100);
    String jdk = "JDK classes (strings, arrays, maps, addresses: held by any of the above)";
    assertEquals(
        List.of(jdk, "Vert.x classes", "Netty classes", "Herald classes"),
        List.copyOf(diff.byOwner().keySet()));
    // [B 800 + String 72 + HashMap$Node 38.4 - cleaners 24
    assertEquals(886.4, diff.byOwner().get(jdk), EXACT);
    assertEquals(96, diff.byOwner().get("Vert.x classes"), EXACT);
    // EpollSocketChannel 64 + PoolSubpage[] 0.8
    assertEquals(64.8, diff.byOwner().get("Netty classes"), EXACT);
    assertEquals(32, diff.byOwner().get("Herald classes"), EXACT);
  }

  @Test
  void listsClassesByBytesPerConnectionLargestFirst() {
    List<Row> rows = HeapDiff.diff(HeapDiff.parse(BEFORE), HeapDiff.parse(AFTER), 100).rows();
    List<Row> expected =
        List.of(
            new Row("[B", 800, 6),
            new Row("io.vertx.core.http.impl.ServerWebSocketImpl", 96, 1),
            new Row("java.lang.String", 72, 3),
            new Row("io.netty.channel.epoll.EpollSocketChannel", 64, 1),
            new Row("java.util.HashMap$Node", 38.4, 1.2),
            new Row("dev.herald.websocket.Session", 32, 1),
            new Row("[Lio.netty.buffer.PoolSubpage;", 0.8, 0.01),
            new Row("jdk.internal.ref.CleanerImpl$PhantomCleanableRef", -24, -0.5));
    assertEquals(expected.size(), rows.size());
    for (int i = 0; i < expected.size(); i++) {
      assertEquals(expected.get(i).type(), rows.get(i).type());
      assertEquals(expected.get(i).bytes(), rows.get(i).bytes(), EXACT, expected.get(i).type());
      assertEquals(
          expected.get(i).instances(), rows.get(i).instances(), EXACT, expected.get(i).type());
    }
  }

  @Test
  void printsTheSummaryThenTheTopClasses() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    HeapDiff.print(HeapDiff.diff(HeapDiff.parse(BEFORE), HeapDiff.parse(AFTER), 100), 3, out);
    assertEquals(
        String.join(
            System.lineSeparator(),
            "HEAP per_connection_bytes=1079 connections=100",
            "     886 B  JDK classes (strings, arrays, maps, addresses: held by any of the above)",
            "      96 B  Vert.x classes",
            "      65 B  Netty classes",
            "      32 B  Herald classes",
            "   bytes  objects  class (per connection)",
            "   800.0     6.00  [B",
            "    96.0     1.00  io.vertx.core.http.impl.ServerWebSocketImpl",
            "    72.0     3.00  java.lang.String",
            ""),
        bytes.toString(StandardCharsets.UTF_8));
  }
}
