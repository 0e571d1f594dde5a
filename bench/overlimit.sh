#!/usr/bin/env bash
# More requests in flight than a cluster allows (issue 17, and trust at the edge): CONNS clients, each with one request
# outstanding at a time (h2load, keep-alive), to a backend that answers after DELAY_MS (nginx echo_sleep), so CONNS
# requests are in flight where the cluster's limits.maxConnections is 1,024. Ringway with its queue (limits as shipped:
# maxPendingRequests 1,024), Ringway without it (maxPendingRequests: 0, every release before 2026-12-05), and HAProxy
# (the shared harness's server maxconn 1000, which queues the rest), one after another on the same machine. Pinned as
# bench/http.sh pins: h2load and the backend on cpu0, the proxy on cpu1 (one io_uring loop, byte-level path on as in
# conf/ringway.yaml). Each system gets WARMUP seconds of the same load first, then SECS measured.
#
# usage: bench/overlimit.sh [CONNS=1500] [SECS=20]
# env: DELAY_MS (200), WARMUP (10), SYSTEMS ("haproxy ringway_queue ringway_noqueue"), QUEUE (ringway_queue's
#      maxPendingRequests, 1024), BYTE_LEVEL (1; 0: the decoding path, Vert.x's HttpClient), RINGWAY_JAR, JAVA_OPTS, RES_DIR
# Results: $RES_DIR/overlimit.tsv and summary.md (per system: 2xx/s, non-2xx answers, p50/p99/p99.9/max of every
# answer, p99/p99.9 of those sent after the first 2 s, when the CONNS connections opened at once are past;
# unanswered: still in flight when h2load's time ran out; refused at limits: Ringway's queueOverflows), raw/ (h2load
# logs and output, Ringway logs and its /stats at the end: pendingRequests, queuedRequests, queueOverflows...)
set -euo pipefail
. "$(dirname "$0")/common.sh"
. "$bench_here/jvm-lib.sh"
CONNS=${1:-1500}
SECS=${2:-20}
DELAY_MS=${DELAY_MS:-200}
WARMUP=${WARMUP:-10}
SYSTEMS=${SYSTEMS:-"haproxy ringway_queue ringway_noqueue"}
QUEUE=${QUEUE:-1024}
BYTE_LEVEL=${BYTE_LEVEL:-1}
[ "$BYTE_LEVEL" = 1 ] && BYTE_LEVEL_io_uring=1
command -v h2load >/dev/null || { echo "bench: needs h2load (apt-get install -y nghttp2-client)" >&2; exit 2; }
mkdir -p "$RES_DIR/raw"
trap stop_all EXIT INT TERM
describe_machine "$RES_DIR/machine.txt"
echo "command: DELAY_MS=$DELAY_MS WARMUP=$WARMUP QUEUE=$QUEUE BYTE_LEVEL=$BYTE_LEVEL SYSTEMS=\"$SYSTEMS\" bench/overlimit.sh $CONNS $SECS" >> "$RES_DIR/machine.txt"

# The slow backend: the harness's nginx with one location that answers after DELAY_MS.
slow="$RUN_DIR/slow-backend"
mkdir -p "$slow/logs"
cat > "$slow/nginx.conf" <<EOF
load_module /usr/lib/nginx/modules/ngx_http_echo_module.so;
worker_processes 1;
error_log $slow/logs/error.log warn;
pid $slow/nginx.pid;
events { worker_connections 16384; multi_accept on; }
http {
  access_log off;
  keepalive_requests 100000000;
  keepalive_timeout 300s;
  client_body_temp_path $slow/tmp_body; proxy_temp_path $slow/tmp_proxy;
  fastcgi_temp_path $slow/tmp_fcgi; uwsgi_temp_path $slow/tmp_uwsgi; scgi_temp_path $slow/tmp_scgi;
  server {
    listen 127.0.0.1:$BACKEND_PORT reuseport backlog=4096;
    location / { echo_sleep $(awk -v d="$DELAY_MS" 'BEGIN {printf "%.3f", d / 1000}'); echo "slow"; }
  }
}
EOF
taskset -c 0 nginx -p "$slow" -c "$slow/nginx.conf" -g 'daemon off;' > "$slow/logs/stdout" 2>&1 &
STARTED_PIDS+=("$!")
wait_port "$BACKEND_PORT"

# load LABEL PORT SECS -> h2load's log of every answer (start us, status, duration us) in raw/LABEL.h2load
load() {
  timeout $(($3 * 2 + 30)) taskset -c 0 h2load --h1 -t 1 -c "$CONNS" -D "$3" --log-file "$RES_DIR/raw/$1.h2load" \
    "http://127.0.0.1:$2/" > "$RES_DIR/raw/$1.h2load.out" 2>&1 || true
}

printf 'system\tok_per_s\tnon_2xx\tunanswered\tp50_ms\tp99_ms\tp999_ms\tmax_ms\tsteady_p99_ms\tsteady_p999_ms\trefused_at_limits\n' \
  > "$RES_DIR/overlimit.tsv"
for system in $SYSTEMS; do
  case $system in
    haproxy)
      start_haproxy 1 1
      port=$HAPROXY_PORT ;;
    ringway_queue|ringway_noqueue)
      pending=$QUEUE; [ "$system" = ringway_noqueue ] && pending=0
      ringway_http_yaml io_uring "$BACKEND_PORT" "admin, http-router" \
        "maxConnections: 1024, maxPendingConnects: 1024, maxPendingRequests: $pending" > "$RUN_DIR/ringway-overlimit.yaml"
      "$JAVA_HOME/bin/java" -jar "$jar" validate "$RUN_DIR/ringway-overlimit.yaml" >&2
      # shellcheck disable=SC2086  # JAVA_OPTS is a list of options
      launch_ringway "$RUN_DIR/ringway-overlimit.yaml" "$RES_DIR/raw/$system.log" "$jar" $JAVA_OPTS
      await_ready "$RES_DIR/raw/$system.log" > /dev/null
      port=$proxy_port ;;
    *) echo "bench: unknown system $system (known: haproxy ringway_queue ringway_noqueue)" >&2; exit 2 ;;
  esac
  log "$system: warm-up ${WARMUP}s, then ${SECS}s measured, $CONNS clients, backend delay ${DELAY_MS}ms"
  load "$system-warmup" "$port" "$WARMUP"
  load "$system" "$port" "$SECS"
  refused=-
  [[ $system == ringway_* ]] && refused=$(ringway_stats "$RES_DIR/raw/$system.stats.json")
  stop_pid "$PROXY_PID"
  sleep 1
  # the first 2 s hold the burst of CONNS connections opened at once; what follows is the steady state
  python3 "$bench_here/h2load-summary.py" "$RES_DIR/raw/$system.h2load" "$RES_DIR/raw/$system.h2load.out" "$SECS" 2 \
    | awk -F'\t' -v OFS='\t' -v s="$system" -v r="$refused" '{print s, $1, $2, $3, $4, $5, $6, $7, $9, $10, r}' \
    >> "$RES_DIR/overlimit.tsv"
done
summarise "$RES_DIR/overlimit.tsv" \
  "$CONNS clients with one request each outstanding, backend delay ${DELAY_MS} ms, ${SECS} s measured after ${WARMUP} s;" \
  system 2xx/s non-2xx unanswered "p50 (ms)" "p99 (ms)" "p99.9 (ms)" "max (ms)" "p99 after 2 s" "p99.9 after 2 s" \
  "refused at limits"
