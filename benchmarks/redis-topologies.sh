#!/usr/bin/env bash
# Cross-node delivery through one Redis and through a Redis Cluster (3 masters + 3 replicas, made
# with redis-cli --cluster create), on this machine: for each, two Herald nodes A and B, every
# subscriber on B, every event published through A's HTTP API, so each event crosses the bus once
# (PUBLISH on one Redis, SPUBLISH to the shard of Herald's hash slot on the Cluster). Each measured
# run follows one unmeasured warm-up run of the same command (JIT).
#
# Environment: SUBSCRIBERS=1000 DURATION=8 RATE=50 ORDER="single cluster" HERALD_JAVA_OPTS=""
# SKIP_BUILD=1 (ORDER="cluster single" measures the Cluster first, to see the order's effect).
# Results (the generator's RESULT lines) and logs go to benchmarks/target/redis-topologies-<time>/.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
SUBSCRIBERS="${SUBSCRIBERS:-1000}"
DURATION="${DURATION:-8}"
RATE="${RATE:-50}"
ORDER="${ORDER:-single cluster}"
HERALD_JAVA_OPTS="${HERALD_JAVA_OPTS:-}"
BENCH_JAVA_OPTS="-Xms512m -Xmx2g"
OUT="${OUT:-$ROOT/benchmarks/target/redis-topologies-$(date +%Y%m%d-%H%M%S)}"
mkdir -p "$OUT"
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

build_jars
cp server/target/herald.jar "$OUT/herald.jar"

start_redis() { # port [redis-server args...]: a throwaway server with its own directory
  local port="$1"
  shift
  mkdir -p "$OUT/redis-$port"
  redis-server --port "$port" --save "" --appendonly no --bind 127.0.0.1 \
    --dir "$OUT/redis-$port" "$@" >"$OUT/redis-$port.log" 2>&1 &
  STARTED_PIDS+=("$!")
  for _ in $(seq 1 100); do
    redis-cli -p "$port" ping 2>/dev/null | grep -q PONG && return 0
    sleep 0.1
  done
  echo "redis-server on $port did not start; see $OUT/redis-$port.log" >&2
  exit 1
}

start_node() { # name port [VAR=value...]: a Herald node; sets NODE_PID
  local name="$1" port="$2"
  shift 2
  # shellcheck disable=SC2086
  env -u REVERB_SERVER_PATH REVERB_SERVER_HOST=127.0.0.1 REVERB_SERVER_PORT="$port" \
    REVERB_APP_ID="$APP_ID" REVERB_APP_KEY="$APP_KEY" REVERB_APP_SECRET="$APP_SECRET" \
    HERALD_SCALING=redis "$@" java $HERALD_JAVA_OPTS -jar "$OUT/herald.jar" >"$OUT/$name.log" 2>&1 &
  NODE_PID=$!
  STARTED_PIDS+=("$NODE_PID")
  wait_http "http://127.0.0.1:$port/up" "$NODE_PID" "$name"
}

measure() { # label port-of-B pid-of-B port-of-A
  local label="$1" b="$2" pid="$3" a="$4"
  for rate in max "$RATE"; do
    run_bench "$b" "$pid" "warmup-$label" fanout --api-port "$a" --subscribers "$SUBSCRIBERS" \
      --rate "$rate" --duration "$DURATION" >>"$OUT/warmup.txt"
    run_bench "$b" "$pid" "$label" fanout --api-port "$a" --subscribers "$SUBSCRIBERS" \
      --rate "$rate" --duration "$DURATION" | tee -a "$OUT/results.txt"
  done
}

single() { # two nodes on one Redis
  SINGLE="$(free_port)"
  start_redis "$SINGLE"
  A1="$(free_port)"
  B1="$(free_port)"
  start_node single-a "$A1" REDIS_URL="redis://127.0.0.1:$SINGLE"
  start_node single-b "$B1" REDIS_URL="redis://127.0.0.1:$SINGLE"
  B1_PID="$NODE_PID"
  measure single-redis "$B1" "$B1_PID" "$A1"
}

cluster() { # two nodes on a Redis Cluster of three masters and three replicas
  local port
  SEEDS=()
  for _ in 1 2 3 4 5 6; do
    port="$(free_port)"
    start_redis "$port" --cluster-enabled yes --cluster-config-file "$OUT/nodes-$port.conf" \
      --cluster-port "$(free_port)"
    SEEDS+=("127.0.0.1:$port")
  done
  redis-cli --cluster create "${SEEDS[@]}" --cluster-replicas 1 --cluster-yes >"$OUT/cluster-create.log"
  for _ in $(seq 1 100); do
    redis-cli --cluster check "${SEEDS[0]}" 2>/dev/null | grep -q "All 16384 slots covered" && break
    sleep 0.2
  done
  NODES="$(IFS=,; echo "${SEEDS[*]}")"
  A2="$(free_port)"
  B2="$(free_port)"
  start_node cluster-a "$A2" HERALD_REDIS_CLUSTER_NODES="$NODES"
  start_node cluster-b "$B2" HERALD_REDIS_CLUSTER_NODES="$NODES"
  B2_PID="$NODE_PID"
  measure redis-cluster "$B2" "$B2_PID" "$A2"
}

for topology in $ORDER; do
  "$topology"
done

echo "results: $OUT/results.txt"
