#!/usr/bin/env bash
# Herald vs Soketi, same scenarios, same machine, one run.
#
# Builds the benchmark jar (and the server jar if it is missing), starts Herald
# (server/target/herald.jar, REVERB_* env, free port) and Soketi (node, from $SOKETI_DIR,
# default /tmp/soketi, holding `npm install` of @soketi/soketi), runs every scenario against one
# then the other, stops both, and prints the RESULT lines, the RATIO lines (Herald / Soketi) and
# the TARGET lines of BENCHMARKS.md and of issue 18. Processes it started are stopped on any exit.
#
# Order: both servers start; the cold pass (COLD=1) runs the light scenarios against each in its
# first minute (tagged -cold, no warm-up of any kind before it); then the warm-up pass; then the
# measured scenarios (the light ones tagged -warm). With BASELINE_JAR, an older Herald build runs
# beside them (warmed up the same way) and the saturation scenarios run against it right after
# Herald, for the "no more than 10 % slower" target.
#
# Environment knobs (defaults are the sizes used in BENCHMARKS.md):
#   SCALE=full|ci         ci: seconds-long runs with small sizes (a quick check that it all works)
#   DURATION=20           seconds of each measured phase
#   SUBSCRIBERS=1000 RATE=50             fan-out (RATE events/s x SUBSCRIBERS = offered deliveries/s)
#   BIG_SUBSCRIBERS=5000 BIG_RATE=10      fanout-fixed-5k: the same offered load in bursts of 5,000
#   CHANNELS=10000 PER_CHANNEL=10 CHANNEL_CONNS=10000
#   IDLE=10000 IDLE_BIG=100000 (0 skips the big idle run)
#   PAIRS=500 PAIR_RATE=5 MEMBERS=100 CHURNERS=10 HTTP_SUBS=100
#   Light fixed loads (issue 18), measured warm and cold:
#   LIGHT_RATE=10         fanout-light: SUBSCRIBERS subscribers x LIGHT_RATE events/s
#   LIGHT_PAIRS=100 LIGHT_PAIR_RATE=10   client-events-light: private pairs x msg/s per connection
#   HTTP_CONNS=50 HTTP_RATE=10 HTTP_LIGHT_SUBS=10   http-light: keep-alive connections x single
#                         POST events/s each, to a channel of HTTP_LIGHT_SUBS subscribers
#   COLD=1                the light scenarios once against each server right after start (0: skip)
#   COLD_DURATION=15      seconds measured of each cold scenario (no --warmup phase)
#   PRIME_SECONDS=5       before each cold scenario the generator runs it this long against a
#                         throwaway Herald (same JVM), so that the cold figures are the server's
#                         JIT and not the generator's (0: no priming server)
#   PROCESSES=1           generator processes for fanout/channels
#   SCENARIOS="idle idle-big fanout-light client-events-light http-light fanout-fixed fanout-fixed-5k
#              fanout-max channels http client-events presence"
#                         (idle first: RSS per connection is measured on servers that have not yet
#                          grown their heaps under load)
#   BASELINE_JAR=""       an older herald.jar: also started (same environment, its own port), the
#                         saturation scenarios (fanout-max channels http presence) run against it
#                         right after Herald; results in baseline.txt, ratios new / baseline
#   HERALD_JAVA_OPTS=""   e.g. a JFR recording: -XX:StartFlightRecording=duration=60s,filename=/tmp/h.jfr
#   HERALD_LAUNCHER=0     1: run Herald (and the baseline) through dist/bin/herald, copied with the
#                         jar to $OUT/herald-home/{bin,lib}, so its JVM defaults apply (HERALD_JAVA_OPTS
#                         is passed to it and, as there, wins); the SERVER lines show the flags used
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
  : "${LIGHT_PAIRS:=10}" "${HTTP_CONNS:=5}" "${HTTP_LIGHT_SUBS:=3}" "${COLD_DURATION:=2}"
  : "${PRIME_SECONDS:=1}"
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
LIGHT_RATE="${LIGHT_RATE:-10}"
LIGHT_PAIRS="${LIGHT_PAIRS:-100}"
LIGHT_PAIR_RATE="${LIGHT_PAIR_RATE:-10}"
HTTP_CONNS="${HTTP_CONNS:-50}"
HTTP_RATE="${HTTP_RATE:-10}"
HTTP_LIGHT_SUBS="${HTTP_LIGHT_SUBS:-10}"
COLD="${COLD:-1}"
COLD_DURATION="${COLD_DURATION:-15}"
PRIME_SECONDS="${PRIME_SECONDS:-5}"
PROCESSES="${PROCESSES:-1}"
SCENARIOS="${SCENARIOS:-idle idle-big fanout-light client-events-light http-light fanout-fixed fanout-fixed-5k fanout-max channels http client-events presence}"
BASELINE_JAR="${BASELINE_JAR:-}"
HERALD_LAUNCHER="${HERALD_LAUNCHER:-0}"
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

[[ -z "$BASELINE_JAR" || -f "$BASELINE_JAR" ]] || { echo "BASELINE_JAR $BASELINE_JAR missing" >&2; exit 1; }
[[ "$HERALD_LAUNCHER" != 1 || -f dist/bin/herald ]] || { echo "dist/bin/herald missing" >&2; exit 1; }

HERALD_PORT="$(free_port)"
SOKETI_PORT="$(free_port)"
while [[ "$SOKETI_PORT" == "$HERALD_PORT" ]]; do SOKETI_PORT="$(free_port)"; done
BASELINE_PORT=
if [[ -n "$BASELINE_JAR" ]]; then
  BASELINE_PORT="$(free_port)"
  while [[ "$BASELINE_PORT" == "$HERALD_PORT" || "$BASELINE_PORT" == "$SOKETI_PORT" ]]; do
    BASELINE_PORT="$(free_port)"
  done
fi

start_herald "$HERALD_PORT"
PRIME_PORT=0
if [[ "$COLD" == 1 && "$PRIME_SECONDS" != 0 ]]; then
  PRIME_PORT="$(free_port)"
  while [[ "$PRIME_PORT" == "$HERALD_PORT" || "$PRIME_PORT" == "$SOKETI_PORT" ]]; do
    PRIME_PORT="$(free_port)"
  done
  start_herald_jar primer "$PRIME_PORT" server/target/herald.jar
  PRIME_PID=$LAST_PID
fi
if [[ -n "$BASELINE_JAR" ]]; then
  start_herald_jar baseline "$BASELINE_PORT" "$BASELINE_JAR"
  BASELINE_PID=$LAST_PID
fi

# Soketi: the same app, client events on, no connection limit (its README's settings).
(cd "$SOKETI_DIR" && exec env SOKETI_DEFAULT_APP_ID="$APP_ID" SOKETI_DEFAULT_APP_KEY="$APP_KEY" \
  SOKETI_DEFAULT_APP_SECRET="$APP_SECRET" SOKETI_DEFAULT_APP_ENABLE_CLIENT_MESSAGES=true \
  SOKETI_DEFAULT_APP_MAX_CONNS=-1 SOKETI_PORT="$SOKETI_PORT" \
  node node_modules/@soketi/soketi/bin/server.js start) >"$OUT/soketi.log" 2>&1 &
SOKETI_PID=$!
STARTED_PIDS+=("$SOKETI_PID")

wait_http "http://127.0.0.1:$HERALD_PORT/up" "$HERALD_PID" herald
wait_http "http://127.0.0.1:$SOKETI_PORT/" "$SOKETI_PID" soketi
[[ -z "$BASELINE_JAR" ]] || wait_http "http://127.0.0.1:$BASELINE_PORT/up" "$BASELINE_PID" baseline
[[ "$PRIME_PORT" == 0 ]] || wait_http "http://127.0.0.1:$PRIME_PORT/up" "$PRIME_PID" primer
echo "# herald pid $HERALD_PID port $HERALD_PORT; soketi pid $SOKETI_PID port $SOKETI_PORT;" \
  "${BASELINE_JAR:+baseline pid $BASELINE_PID port $BASELINE_PORT ($BASELINE_JAR); }results in $OUT"
echo "# load before: $(cut -d' ' -f1-3 /proc/loadavg)"

bench() { # target-name port pid scenario flags...: DURATION and WARMUP unless the flags say
  local name="$1" port="$2" pid="$3" scenario="$4"
  shift 4
  run_bench "$port" "$pid" "$name" "$scenario" --duration "$DURATION" --warmup "$WARMUP" "$@" \
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

saturation() { # scenario-args...: Herald, the baseline build (if any), then Soketi
  bench herald "$HERALD_PORT" "$HERALD_PID" "$@"
  sleep 2
  if [[ -n "$BASELINE_JAR" ]]; then
    bench baseline "$BASELINE_PORT" "$BASELINE_PID" "$@"
    sleep 2
  fi
  bench soketi "$SOKETI_PORT" "$SOKETI_PID" "$@"
  sleep 2
}

light_args() { # which(fanout-light|client-events-light|http-light) tag: sets LIGHT_ARGS
  case "$1" in
    fanout-light) LIGHT_ARGS=(fanout --subscribers "$SUBSCRIBERS" --rate "$LIGHT_RATE") ;;
    client-events-light) LIGHT_ARGS=(client-events --pairs "$LIGHT_PAIRS" --pair-rate "$LIGHT_PAIR_RATE") ;;
    http-light) LIGHT_ARGS=(http-light --http-conns "$HTTP_CONNS" --http-rate "$HTTP_RATE"
      --http-light-subs "$HTTP_LIGHT_SUBS") ;;
  esac
  LIGHT_ARGS+=(--name "$1" --tag "$2")
}

# Cold: the light loads in each server's first minute, before anything else has run against it
# (Herald's JIT has compiled none of these paths yet, nor has V8 Soketi's). Herald's three run
# first, then Soketi's: a server that sat idle meanwhile has compiled nothing more, and neither
# gets a warm-up phase. The baseline build has no cold pass (only its saturation figures count).
if [[ "$COLD" == 1 ]]; then
  for n in herald soketi; do
    if [[ $n == herald ]]; then port=$HERALD_PORT pid=$HERALD_PID; else port=$SOKETI_PORT pid=$SOKETI_PID; fi
    echo "# cold pass against $n: $(date -u +%T), $(ps -o etimes= -p "$pid" | tr -d " ") s after it started"
    for s in fanout-light client-events-light http-light; do
      light_args "$s" cold
      bench "$n" "$port" "$pid" "${LIGHT_ARGS[@]}" --duration "$COLD_DURATION" --warmup 0 \
        --prime-port "$PRIME_PORT" --prime-seconds "$PRIME_SECONDS"
      sleep 1
    done
  done
  [[ "$PRIME_PORT" == 0 ]] || stop "$PRIME_PID"
fi

# Warm-up: every scenario briefly against each server, results kept apart. A fresh JVM spends its
# first minute JIT-compiling (C2 alone used ~20 s of CPU in a cold Herald), which would otherwise be
# charged to whichever scenario runs first; Soketi gets the same treatment.
if [[ "${WARMUP_PASS:-1}" == 1 ]]; then
  for n in herald soketi ${BASELINE_JAR:+baseline}; do
    case $n in
      herald) port=$HERALD_PORT pid=$HERALD_PID ;;
      soketi) port=$SOKETI_PORT pid=$SOKETI_PID ;;
      baseline) port=$BASELINE_PORT pid=$BASELINE_PID ;;
    esac
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
    fanout-light | client-events-light | http-light) light_args "$s" warm && both "${LIGHT_ARGS[@]}" ;;
    fanout-max) saturation fanout --subscribers "$SUBSCRIBERS" --rate max --processes "$PROCESSES" ;;
    channels) saturation channels --channels "$CHANNELS" --per-channel "$PER_CHANNEL" \
      --channel-conns "$CHANNEL_CONNS" --channel-rate max --processes "$PROCESSES" ;;
    idle) both idle --idle-conns "$IDLE" --hold 5 ;;
    idle-big) [[ "$IDLE_BIG" -gt 0 ]] && both idle --idle-conns "$IDLE_BIG" --hold 10 --tag big ;;
    http) saturation http --http-subs "$HTTP_SUBS" ;;
    client-events) both client-events --pairs "$PAIRS" --pair-rate "$PAIR_RATE" ;;
    presence) saturation presence --members "$MEMBERS" --churners "$CHURNERS" ;;
    *) echo "unknown scenario $s" >&2; exit 1 ;;
  esac
done

echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg)"
for n in herald soketi ${BASELINE_JAR:+baseline}; do
  if grep -qE 'NoClassDefFoundError|OutOfMemoryError|FATAL' "$OUT/$n.log"; then
    echo "# WARNING: $n logged errors during the run, see $OUT/$n.log" >&2
  fi
done
grep -m1 '^MACHINE' "$OUT/herald.txt" || true
java -jar "$BENCH_JAR" compare "$OUT/herald.txt" "$OUT/soketi.txt" \
  ${BASELINE_JAR:+"$OUT/baseline.txt"} | tee "$OUT/ratios.txt"
