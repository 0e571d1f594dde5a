#!/usr/bin/env bash
# L7 benchmark: wrk -t2 -c64 through Ringway's http-router on io_uring, epoll and NIO, beside nginx and
# HAProxy (`mode http`, nbthread 1, http-reuse always) as reverse proxies in front of the same nginx
# backend, all in one run of the peers' harness ../shared/bench/http_bench.sh. Workloads: small GET
# (100 B), 4 KiB GET, 4 KiB POST echo, and `Connection: close` churn (small GET). Reports req/s, p50/p99,
# proxy CPU-s per 100k requests, syscalls per request (perf stat on the syscall tracepoints of the
# proxy's pids, in an extra run). All traffic on 127.0.0.1; every run is bounded by wrk -d.
# Beside the harness's summary, columns.md (bench/http-report.sh): p99.9 and bytes allocated per request (JVMs;
# bench/wrk-wrap/wrk, first on the harness's PATH, measures both) and each figure's ratio to HAProxy's, and
# latency-<workload>.svg (latency.svg: the small GET's), the latency percentile curves of HAProxy, nginx, Ringway
# io_uring and vertx-http-proxy. bench/latency.sh runs this at a fixed rate (FIXED_RATES, see bench/wrk-wrap/wrk).
# The plain vertx-http-proxy 5.0.10 app (bench/VertxHttpProxy.java, one io_uring loop) is the row
# vertx_http_proxy, warmed by bench/warm-start.sh like Ringway.
#
# TLS workloads (bench/http-tls.sh, run after the harness in the same results directory): tls13 (keep-alive over
# TLS 1.3) and tls13close (a full handshake per request), through HAProxy and nginx terminating TLS and Ringway on
# BoringSSL and on the JDK's engine (TLS_ENGINES), with the engine in the table (http-tls.md).
#
# usage: bench/http.sh [PIN=pinned] [REPS=2] [WORKLOADS="small 4k echo4k close tls13 tls13close"]
#   pinned: wrk and the backend on cpu0, the proxy on cpu1 (Ringway: one event loop, eventLoops: 1).
# env: RINGWAY_JAR, TRANSPORTS, JAVA_OPTS, RINGWAY_WARMUP, RES_DIR, WAIT_FOR, SHARED_BENCH (see bench/common.sh);
#      SYSTEMS_BEFORE (default "nginx1 haproxy1"): peer systems measured first;
#      VERTX_HTTP_PROXY_JAR (default: ~/.m2's io.vertx:vertx-http-proxy:5.0.10; fetch it with
#      ./mvnw dependency:get -Dartifact=io.vertx:vertx-http-proxy:5.0.10), VERTX_PROXY=0 to leave the row out;
#      FLOOR_ROWS (none): bench/HttpFloor.java modes to add as rows floor_<mode> (l7bytes l7 l4);
#      DUR (10s), HARNESS_WARM (the harness's wrk warm-up per workload: 2s), CONNS (64), THREADS (2), PERF (1) as in http_bench.sh.
# needs: apt-get install -y nginx libnginx-mod-http-echo haproxy wrk jq bc linux-perf
# Results: $RES_DIR/http.tsv, summary.md (tables), machine.txt, load.txt, jit.txt (warm-up), raw/ (wrk output,
# perf output, Ringway logs).
set -euo pipefail
. "$(dirname "$0")/common.sh"
PIN=${1:-pinned}
REPS=${2:-2}
WORKLOADS=${3:-"small 4k echo4k close tls13 tls13close"}
tls_workloads=$(tr ' ' '\n' <<< "$WORKLOADS" | grep '^tls' | tr '\n' ' ' || true)
WORKLOADS=$(tr ' ' '\n' <<< "$WORKLOADS" | grep -v '^tls' | tr '\n' ' ' || true)
results_dir http

backend_port=18081   # the harness's nginx backend (lib.sh BACKEND_PORT)
systems=${SYSTEMS_BEFORE-"nginx1 haproxy1"}
ringway_systems http "$backend_port"
# jvm_row NAME JAVA_COMMAND: a JVM proxy row that reads its ports from the bench config given with --conf, started,
# warmed and swapped by bench/warm-start.sh exactly as Ringway (not in a subshell: the exports must reach the harness)
jvm_row() {
  local conf="$RUN_DIR/ringway-http/$1.yaml"
  ringway_http_yaml io_uring "$backend_port" > "$conf"
  if [ "$RINGWAY_WARMUP" = 1 ]; then
    export "PROXY_CMD_$1=$bench_here/warm-start.sh http $conf $2"
  else
    export "PROXY_CMD_$1=$2 --conf $conf"
  fi
  export "PROXY_PORT_$1=$proxy_port"
  systems+=" cmd:$1"
}
vhp_jar=${VERTX_HTTP_PROXY_JAR:-$HOME/.m2/repository/io/vertx/vertx-http-proxy/5.0.10/vertx-http-proxy-5.0.10.jar}
if [ "${VERTX_PROXY:-1}" = 1 ]; then
  if [ -f "$vhp_jar" ]; then
    jvm_row vertx_http_proxy "$JAVA_HOME/bin/java --enable-native-access=ALL-UNNAMED $JAVA_OPTS -cp $jar:$vhp_jar $bench_here/VertxHttpProxy.java"
  else
    echo "bench: $vhp_jar missing; no vertx_http_proxy row (./mvnw dependency:get -Dartifact=io.vertx:vertx-http-proxy:5.0.10)" >&2
  fi
fi
# FLOOR_ROWS (e.g. "l7bytes l7 l4"): bench/HttpFloor.java's floors as rows floor_<mode>, with Ringway's JVM options
for mode in ${FLOOR_ROWS:-}; do
  jvm_row "floor_$mode" "$JAVA_HOME/bin/java --enable-native-access=ALL-UNNAMED $JAVA_OPTS -cp $jar $bench_here/HttpFloor.java $mode io_uring"
done
# p99.9 and allocation per request: our wrk first on the harness's PATH
export PATH="$bench_here/wrk-wrap:$PATH"
wait_for_others
describe_machine "$RES_DIR/machine.txt"
start_load_sampler
echo "command: PIN=$PIN REPS=$REPS WORKLOADS='$WORKLOADS' tls='$tls_workloads' DUR=${DUR:-10s} systems='$systems'" >> "$RES_DIR/machine.txt"
if [ -z "${WORKLOADS// /}" ]; then
  "$bench_here/http-tls.sh" "$PIN" "$REPS" "$tls_workloads"
  echo "load_after: $(cat /proc/loadavg)" >> "$RES_DIR/machine.txt"
  echo "results: $RES_DIR" >&2
  exit 0
fi
# The harness reads WARM as its wrk warm-up duration (Ringway's JIT warm-up is RINGWAY_WARMUP, in PROXY_CMD_*).
WARM=${HARNESS_WARM:-2s} "$shared/http_bench.sh" "$PIN" "$REPS" "$systems" "$WORKLOADS"
[ -n "${tls_workloads// /}" ] && "$bench_here/http-tls.sh" "$PIN" "$REPS" "$tls_workloads"
echo "load_after: $(cat /proc/loadavg)" >> "$RES_DIR/machine.txt"
for s in $systems; do   # keep Ringway's logs (the harness's run dir is reused) and its JIT warm-up summary
  case $s in cmd:*) l=${s#cmd:}
    cp "$RUN_DIR/cmd-$l/stdout" "$RES_DIR/raw/$l.log" 2>/dev/null || true
    { grep -h "warm-start: JIT" "$RES_DIR/raw/$l.log" 2>/dev/null || true; } | sed "s/^/$l: /" >> "$RES_DIR/jit.txt" ;;
  esac
done
(cd "$shared" && RES_DIR="$RES_DIR" ./summarize.sh) > "$RES_DIR/summary.md"
cat "$RES_DIR/summary.md"
echo
"$bench_here/http-report.sh" "$RES_DIR"
echo "results: $RES_DIR" >&2
