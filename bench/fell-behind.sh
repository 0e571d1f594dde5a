#!/usr/bin/env bash
# A proxy that fell behind, and how it catches up (issue 17's tail, and trust at the edge). Each system is warmed with
# a closed loop (wrk -c32, a new connection per request, WARMUP s, at its own pace), then gets an open loop of RATE new
# connections/s, one GET each, from h2load (another client, other request headers, a steady rate) for SECS. HAProxy
# takes the switch in its stride. A JVM meets it with deoptimisations and recompiles (code compiled for wrk's requests
# meets h2load's) on the one pinned cpu, falls behind for a moment, and requests pile up meanwhile: what this measures
# is what that moment costs — how many requests are refused (the cluster's limits and queue), how long the slowest
# wait, and when the last request slower than 100 ms was sent ('behind until'). The backend never stalls: the
# harness's nginx on the load's cpu, as bench/http.sh pins it (h2load, wrk and nginx on cpu0, the proxy on cpu1).
#
# With WARMUP=0 NODE_WARMUP=1 it measures a node's own warm-up instead (warmup.enabled: the node runs its data path on
# loopback with its training load before it binds): the open loop starts as soon as the node is ready.
#
# usage: bench/fell-behind.sh [RATE=12000] [SECS=10] [REPS=2]
# env: WARMUP (15; 0: none), NODE_WARMUP (0; 1: warmup: {enabled: true} in Ringway's config), SYSTEMS ("haproxy
#      ringway"; ringway_TAG is the same with its own jar in RINGWAY_JAR_<TAG> and/or JVM options in JAVA_OPTS_<TAG>),
#      TRANSPORT (io_uring), BYTE_LEVEL (1), RINGWAY_JAR, JAVA_OPTS, RES_DIR
# Results: $RES_DIR/fell-behind.tsv and summary.md, raw/ (h2load logs and output, Ringway logs and /stats at the end).
# The column 'traps' counts the JIT's "made not entrant: uncommon trap" lines after Ringway's ready line: the
# deoptimisations the load met; given only with -XX:+PrintCompilation in the row's JVM options (-: not asked).
set -euo pipefail
. "$(dirname "$0")/common.sh"
. "$bench_here/jvm-lib.sh"
. "$bench_here/h2load-rate.sh"
RATE=${1:-12000}
SECS=${2:-10}
REPS=${3:-2}
WARMUP=${WARMUP:-15}
NODE_WARMUP=${NODE_WARMUP:-0}
SYSTEMS=${SYSTEMS:-"haproxy ringway"}
TRANSPORT=${TRANSPORT:-io_uring}
BYTE_LEVEL=${BYTE_LEVEL:-1}
command -v h2load >/dev/null || { echo "bench: needs h2load (apt-get install -y nghttp2-client)" >&2; exit 2; }
mkdir -p "$RES_DIR/raw"
trap stop_all EXIT INT TERM
describe_machine "$RES_DIR/machine.txt"
echo "command: WARMUP=$WARMUP NODE_WARMUP=$NODE_WARMUP TRANSPORT=$TRANSPORT BYTE_LEVEL=$BYTE_LEVEL SYSTEMS=\"$SYSTEMS\" bench/fell-behind.sh $RATE $SECS $REPS" \
  >> "$RES_DIR/machine.txt"
start_backend 1 0
[ "$BYTE_LEVEL" = 1 ] && printf -v "BYTE_LEVEL_$TRANSPORT" 1
ringway_http_yaml "$TRANSPORT" "$BACKEND_PORT" "admin, http-router" > "$RUN_DIR/ringway-fell-behind.yaml"
[ "$NODE_WARMUP" = 1 ] && echo "warmup: {enabled: true, maxDuration: 15s}" >> "$RUN_DIR/ringway-fell-behind.yaml"
"$JAVA_HOME/bin/java" -jar "$jar" validate "$RUN_DIR/ringway-fell-behind.yaml" >&2
h2load_rate_args 1 "$RATE" 2 "$SECS" 0

printf 'system\trep\tok_per_s\tnon_2xx\tunanswered\tp50_ms\tp99_ms\tp999_ms\tmax_ms\tbehind_until_s\trefused_at_limits\ttraps\n' \
  > "$RES_DIR/fell-behind.tsv"
for rep in $(seq 1 "$REPS"); do
  for system in $SYSTEMS; do
    label=$system-r$rep
    case $system in
      haproxy)
        start_haproxy 1 1
        port=$HAPROXY_PORT ;;
      ringway|ringway_*)
        tag=${system#ringway}; tag=${tag#_}
        own_jar=$jar opts=$JAVA_OPTS
        if [ -n "$tag" ]; then
          jar_var=RINGWAY_JAR_$tag opts_var=JAVA_OPTS_$tag
          own_jar=${!jar_var:-$jar} opts=${!opts_var:-$JAVA_OPTS}
        fi
        # shellcheck disable=SC2086  # the JVM options are a list
        launch_ringway "$RUN_DIR/ringway-fell-behind.yaml" "$RES_DIR/raw/$label.log" "$own_jar" $opts
        await_ready "$RES_DIR/raw/$label.log" > /dev/null
        port=$proxy_port ;;
      *) echo "bench: unknown system $system (known: haproxy, ringway, ringway_<TAG>)" >&2; exit 2 ;;
    esac
    if [ "$WARMUP" != 0 ]; then
      log "$label: ${WARMUP}s closed-loop churn (wrk), then ${SECS}s at $RATE new connections/s (h2load)"
      taskset -c 0 wrk -t1 -c32 -d"${WARMUP}s" -H 'Connection: close' "http://127.0.0.1:$port/" > "$RES_DIR/raw/$label.wrk" 2>&1
      sleep 1
    else
      log "$label: ${SECS}s at $RATE new connections/s (h2load) from the start"
    fi
    timeout $((SECS * 3 + 30)) taskset -c 0 h2load --h1 -t 2 --log-file "$RES_DIR/raw/$label.h2load" "${rate_args[@]}" \
      "http://127.0.0.1:$port/" > "$RES_DIR/raw/$label.h2load.out" 2>&1 || true
    refused=- traps=-
    if [[ $system == ringway* ]]; then
      refused=$(ringway_stats "$RES_DIR/raw/$label.stats.json")
      [[ $opts == *PrintCompilation* ]] && traps=$(sed -n '/ready in/,$p' "$RES_DIR/raw/$label.log" | grep -c 'uncommon trap' || true)
    fi
    stop_pid "$PROXY_PID"
    sleep 1
    python3 "$bench_here/h2load-summary.py" "$RES_DIR/raw/$label.h2load" "$RES_DIR/raw/$label.h2load.out" "$SECS" \
      | awk -F'\t' -v OFS='\t' -v s="$system" -v rep="$rep" -v r="$refused" -v t="$traps" \
        '{print s, rep, $1, $2, $3, $4, $5, $6, $7, $8, r, t}' >> "$RES_DIR/fell-behind.tsv"
  done
done
summarise "$RES_DIR/fell-behind.tsv" \
  "$RATE new connections/s for $SECS s after ${WARMUP} s of closed-loop churn (node warm-up: $NODE_WARMUP);" \
  system rep 2xx/s non-2xx unanswered "p50 (ms)" "p99 (ms)" "p99.9 (ms)" "max (ms)" "behind until (s)" \
  "refused at limits" traps
