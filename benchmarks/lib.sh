# shellcheck shell=bash
# What run-comparison.sh and profile.sh share: building the jars, starting a private copy of Herald
# on a free port, waiting for a server to answer, running herald-bench.jar against it, and stopping
# every process started here on exit. Sourced, not run: `source "$(dirname "$0")/lib.sh"`.
#
# The sourcing script is in $ROOT (the repository) and sets OUT (logs and results),
# HERALD_JAVA_OPTS and BENCH_JAVA_OPTS before calling these functions; its knobs stay its own.
# Sourcing installs an EXIT trap that stops each pid in STARTED_PIDS, in the order started.

# The one app both servers are given and the generator signs with.
APP_ID=1001
APP_KEY=bench-key
APP_SECRET=bench-secret

STARTED_PIDS=()
stop() { # pid: TERM, then KILL after 15 s
  local pid="$1"
  [[ -z "$pid" ]] && return 0
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 150); do
      kill -0 "$pid" 2>/dev/null || return 0
      sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
  fi
}
stop_started() {
  local pid
  for pid in ${STARTED_PIDS[@]+"${STARTED_PIDS[@]}"}; do stop "$pid"; done
}
trap stop_started EXIT
trap 'exit 130' INT TERM

free_port() {
  local p
  for _ in $(seq 1 200); do
    p=$((20000 + RANDOM % 20000))
    if ! ss -Hltn "sport = :$p" 2>/dev/null | grep -q .; then
      echo "$p"
      return 0
    fi
  done
  echo "no free port" >&2
  return 1
}

wait_http() { # url, pid, name: until the url answers; exits if the process dies or after 30 s
  for _ in $(seq 1 300); do
    if ! kill -0 "$2" 2>/dev/null; then
      echo "$3 exited during start-up; log:" >&2
      tail -30 "$OUT/$3.log" >&2
      exit 1
    fi
    curl -fsS -o /dev/null "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "$3 did not answer $1 within 30 s" >&2
  exit 1
}

build_jars() { # unless SKIP_BUILD: the server jar if missing, the benchmark jar always
  if [[ -z "${SKIP_BUILD:-}" ]]; then
    if [[ ! -f server/target/herald.jar ]]; then
      mvn -q -B -pl server -am package -DskipTests
    fi
    mvn -q -B -pl benchmarks package -DskipTests
  fi
  BENCH_JAR="$ROOT/benchmarks/target/herald-bench.jar"
  [[ -f server/target/herald.jar ]] || { echo "server/target/herald.jar missing" >&2; exit 1; }
}

start_herald() { # port: sets HERALD_PID; logs to $OUT/herald.log; wait_http .../up before use
  start_herald_jar herald "$1" server/target/herald.jar
  HERALD_PID=$LAST_PID
}

start_herald_jar() { # name port jar: a Herald build as $OUT/name.log; sets LAST_PID
  local name="$1" port="$2" jar="$3"
  # Run a private copy of the jar: the server module may be rebuilt while this runs, and a JVM whose
  # jar is replaced under it fails to load classes it has not loaded yet (NoClassDefFoundError).
  local cmd
  if [[ "${HERALD_LAUNCHER:-0}" == 1 ]]; then
    # The real launcher (dist/bin/herald), which finds lib/herald.jar next to its own bin/ and adds
    # its JVM defaults (heap share, direct memory, collector) before HERALD_JAVA_OPTS.
    mkdir -p "$OUT/$name-home/bin" "$OUT/$name-home/lib"
    cp dist/bin/herald "$OUT/$name-home/bin/herald"
    cp "$jar" "$OUT/$name-home/lib/herald.jar"
    chmod +x "$OUT/$name-home/bin/herald"
    cmd=("$OUT/$name-home/bin/herald")
  else
    cp "$jar" "$OUT/$name.jar"
    # shellcheck disable=SC2206 # the options are words on purpose
    cmd=(java $HERALD_JAVA_OPTS -jar "$OUT/$name.jar")
  fi
  # Defaults (no tuning), one app, all interfaces so 127.0.0.x sources reach it. The one setting
  # changed is the client-event limit per connection, Pusher's 10/s by default, which Soketi's
  # default app does not have: client-events-light offers 10/s per connection, and in one-second
  # windows timing jitter alone puts an 11th in some (4301 rejections). Raised, not removed, so the
  # limiter's cost is still counted. The launcher execs the JVM, so the pid is the server's.
  env -u REVERB_SERVER_PATH REVERB_SERVER_HOST=0.0.0.0 REVERB_SERVER_PORT="$port" \
    REVERB_APP_ID="$APP_ID" REVERB_APP_KEY="$APP_KEY" REVERB_APP_SECRET="$APP_SECRET" \
    HERALD_APP_CLIENT_EVENT_RATE_LIMIT="${HERALD_CLIENT_EVENT_RATE_LIMIT:-100}" \
    HERALD_JAVA_OPTS="$HERALD_JAVA_OPTS" "${cmd[@]}" >"$OUT/$name.log" 2>&1 &
  LAST_PID=$!
  STARTED_PIDS+=("$LAST_PID")
}

run_bench() { # port pid label scenario-args...: herald-bench.jar against one server, app and all
  local port="$1" pid="$2" label="$3"
  shift 3
  # shellcheck disable=SC2086
  java $BENCH_JAVA_OPTS -jar "$BENCH_JAR" "$@" --host 127.0.0.1 --port "$port" \
    --app-id "$APP_ID" --key "$APP_KEY" --secret "$APP_SECRET" --server-pid "$pid" \
    --label "$label"
}
