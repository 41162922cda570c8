#!/usr/bin/env bash
# Herald vs Soketi, same scenarios, same machine, one run.
#
# Builds the benchmark jar (and the server jar if it is missing), starts Herald
# (server/target/herald.jar, REVERB_* env, free port) and Soketi (node, from $SOKETI_DIR,
# default /tmp/soketi, holding `npm install` of @soketi/soketi), runs every scenario against one
# then the other, stops both, and prints the RESULT lines, the RATIO lines (Herald / Soketi) and
# the TARGET lines of BENCHMARKS.md. Processes it started are stopped on any exit.
#
# Environment knobs (defaults are the sizes used in BENCHMARKS.md):
#   SCALE=full|ci         ci: seconds-long runs with small sizes (a quick check that it all works)
#   DURATION=20           seconds of each measured phase
#   SUBSCRIBERS=1000 RATE=50             fan-out (RATE events/s x SUBSCRIBERS = offered deliveries/s)
#   BIG_SUBSCRIBERS=5000 BIG_RATE=10      fanout-fixed-5k: the same offered load in bursts of 5,000
#   CHANNELS=10000 PER_CHANNEL=10 CHANNEL_CONNS=10000
#   IDLE=10000 IDLE_BIG=100000 (0 skips the big idle run)
#   PAIRS=500 PAIR_RATE=5 MEMBERS=100 CHURNERS=10 HTTP_SUBS=100
#   PROCESSES=1           generator processes for fanout/channels
#   SCENARIOS="idle idle-big fanout-fixed fanout-fixed-5k fanout-max channels http client-events presence"
#                         (idle first: RSS per connection is measured on servers that have not yet
#                          grown their heaps under load)
#   HERALD_JAVA_OPTS=""   e.g. a JFR recording: -XX:StartFlightRecording=duration=60s,filename=/tmp/h.jfr
#   BENCH_JAVA_OPTS="-Xms1g -Xmx4g"
#   OUT=benchmarks/target/comparison-<time>   where logs and results go
#   SKIP_BUILD=1          use the jars as they are
#   WARMUP_PASS=0         skip the brief warm-up suite run against each server before measuring
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

SCALE="${SCALE:-full}"
if [[ "$SCALE" == ci ]]; then
  : "${DURATION:=2}" "${SUBSCRIBERS:=100}" "${RATE:=20}" "${CHANNELS:=200}" "${PER_CHANNEL:=5}"
  : "${CHANNEL_CONNS:=200}" "${IDLE:=1000}" "${IDLE_BIG:=0}" "${PAIRS:=20}" "${MEMBERS:=20}"
  : "${CHURNERS:=4}" "${HTTP_SUBS:=20}" "${WARMUP:=0}" "${BIG_SUBSCRIBERS:=200}" "${BIG_RATE:=10}"
fi
DURATION="${DURATION:-20}"
WARMUP="${WARMUP:-3}"
SUBSCRIBERS="${SUBSCRIBERS:-1000}"
BIG_SUBSCRIBERS="${BIG_SUBSCRIBERS:-5000}"
BIG_RATE="${BIG_RATE:-10}"
RATE="${RATE:-50}"
CHANNELS="${CHANNELS:-10000}"
PER_CHANNEL="${PER_CHANNEL:-10}"
CHANNEL_CONNS="${CHANNEL_CONNS:-10000}"
IDLE="${IDLE:-10000}"
IDLE_BIG="${IDLE_BIG:-100000}"
PAIRS="${PAIRS:-500}"
PAIR_RATE="${PAIR_RATE:-5}"
MEMBERS="${MEMBERS:-100}"
CHURNERS="${CHURNERS:-10}"
HTTP_SUBS="${HTTP_SUBS:-100}"
PROCESSES="${PROCESSES:-1}"
SCENARIOS="${SCENARIOS:-idle idle-big fanout-fixed fanout-fixed-5k fanout-max channels http client-events presence}"
SOKETI_DIR="${SOKETI_DIR:-/tmp/soketi}"
HERALD_JAVA_OPTS="${HERALD_JAVA_OPTS:-}"
BENCH_JAVA_OPTS="${BENCH_JAVA_OPTS:--Xms1g -Xmx4g}"
OUT="${OUT:-$ROOT/benchmarks/target/comparison-$(date +%Y%m%d-%H%M%S)}"
mkdir -p "$OUT"

# 100k connections need as many descriptors on each side (server and generator).
ulimit -n 200000 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
FD_LIMIT="$(ulimit -n)"
if [[ "$FD_LIMIT" != unlimited ]] && ((IDLE_BIG > FD_LIMIT - 1000)); then
  echo "# open-files limit is $FD_LIMIT and cannot be raised here (needs CAP_SYS_RESOURCE):" \
    "the big idle run uses $((FD_LIMIT - 1000)) connections instead of $IDLE_BIG"
  IDLE_BIG=$((FD_LIMIT - 1000))
fi

build_jars
[[ -f "$SOKETI_DIR/node_modules/@soketi/soketi/bin/server.js" ]] || {
  echo "Soketi not found in $SOKETI_DIR (npm install @soketi/soketi there, see /work/shared/peers/soketi)" >&2
  exit 1
}

HERALD_PORT="$(free_port)"
SOKETI_PORT="$(free_port)"
while [[ "$SOKETI_PORT" == "$HERALD_PORT" ]]; do SOKETI_PORT="$(free_port)"; done

start_herald "$HERALD_PORT"

# Soketi: the same app, client events on, no connection limit (its README's settings).
(cd "$SOKETI_DIR" && exec env SOKETI_DEFAULT_APP_ID="$APP_ID" SOKETI_DEFAULT_APP_KEY="$APP_KEY" \
  SOKETI_DEFAULT_APP_SECRET="$APP_SECRET" SOKETI_DEFAULT_APP_ENABLE_CLIENT_MESSAGES=true \
  SOKETI_DEFAULT_APP_MAX_CONNS=-1 SOKETI_PORT="$SOKETI_PORT" \
  node node_modules/@soketi/soketi/bin/server.js start) >"$OUT/soketi.log" 2>&1 &
SOKETI_PID=$!
STARTED_PIDS+=("$SOKETI_PID")

wait_http "http://127.0.0.1:$HERALD_PORT/up" "$HERALD_PID" herald
wait_http "http://127.0.0.1:$SOKETI_PORT/" "$SOKETI_PID" soketi
echo "# herald pid $HERALD_PID port $HERALD_PORT; soketi pid $SOKETI_PID port $SOKETI_PORT; results in $OUT"
echo "# load before: $(cut -d' ' -f1-3 /proc/loadavg)"

bench() { # target-name port pid scenario-args...
  local name="$1" port="$2" pid="$3"
  shift 3
  run_bench "$port" "$pid" "$name" "$@" --duration "$DURATION" --warmup "$WARMUP" \
    2>&1 | tee -a "$OUT/$name.txt" | grep -E '^(RESULT|error)' || true
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "$name died during: $*" >&2
    exit 1
  fi
}

both() { # scenario-args...: Herald then Soketi, a short pause between runs
  bench herald "$HERALD_PORT" "$HERALD_PID" "$@"
  sleep 2
  bench soketi "$SOKETI_PORT" "$SOKETI_PID" "$@"
  sleep 2
}

# Warm-up: every scenario briefly against each server, results kept apart. A fresh JVM spends its
# first minute JIT-compiling (C2 alone used ~20 s of CPU in a cold Herald), which would otherwise be
# charged to whichever scenario runs first; Soketi gets the same treatment.
if [[ "${WARMUP_PASS:-1}" == 1 ]]; then
  for n in herald soketi; do
    if [[ $n == herald ]]; then port=$HERALD_PORT pid=$HERALD_PID; else port=$SOKETI_PORT pid=$SOKETI_PID; fi
    run_bench "$port" "$pid" "$n-warmup" suite --duration 8 --warmup 0 --subscribers 500 --rate 50 \
      --channels 1000 --per-channel 5 --channel-conns 1000 --idle-conns 3000 --hold 1 \
      --pairs 50 --members 50 --churners 5 >"$OUT/warmup-$n.txt" 2>&1 || true
    # Two full ramps: after the brief suite alone, C2 was still compiling Herald's connection path
    # through the measured ramp (a fifth of its CPU there); a long-running server is past that.
    for _ in 1 2; do
      run_bench "$port" "$pid" "$n-warmup" idle --idle-conns "$IDLE" --hold 1 \
        >>"$OUT/warmup-$n.txt" 2>&1 || true
    done
    grep -c '^RESULT' "$OUT/warmup-$n.txt" | sed "s/^/# warm-up $n: scenarios run: /"
  done
  sleep 5
fi

for s in $SCENARIOS; do
  case "$s" in
    fanout-fixed) both fanout --subscribers "$SUBSCRIBERS" --rate "$RATE" --processes "$PROCESSES" ;;
    fanout-fixed-5k) both fanout --subscribers "$BIG_SUBSCRIBERS" --rate "$BIG_RATE" \
      --processes "$PROCESSES" --tag 5k ;;
    fanout-max) both fanout --subscribers "$SUBSCRIBERS" --rate max --processes "$PROCESSES" ;;
    channels) both channels --channels "$CHANNELS" --per-channel "$PER_CHANNEL" \
      --channel-conns "$CHANNEL_CONNS" --channel-rate max --processes "$PROCESSES" ;;
    idle) both idle --idle-conns "$IDLE" --hold 5 ;;
    idle-big) [[ "$IDLE_BIG" -gt 0 ]] && both idle --idle-conns "$IDLE_BIG" --hold 10 --tag big ;;
    http) both http --http-subs "$HTTP_SUBS" ;;
    client-events) both client-events --pairs "$PAIRS" --pair-rate "$PAIR_RATE" ;;
    presence) both presence --members "$MEMBERS" --churners "$CHURNERS" ;;
    *) echo "unknown scenario $s" >&2; exit 1 ;;
  esac
done

echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg)"
for n in herald soketi; do
  if grep -qE 'NoClassDefFoundError|OutOfMemoryError|FATAL' "$OUT/$n.log"; then
    echo "# WARNING: $n logged errors during the run, see $OUT/$n.log" >&2
  fi
done
grep -m1 '^MACHINE' "$OUT/herald.txt" || true
java -jar "$BENCH_JAR" compare "$OUT/herald.txt" "$OUT/soketi.txt" | tee "$OUT/ratios.txt"
