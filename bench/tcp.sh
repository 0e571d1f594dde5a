#!/usr/bin/env bash
# L4 benchmark: iperf3 through Ringway's tcp-proxy on io_uring, epoll and NIO, beside iperf3 direct and
# HAProxy `mode tcp` (nbthread 1), all in one run of the peers' harness ../shared/bench/tcp_bench.sh:
# Gbit/s, proxy CPU-seconds per 10 GB, syscalls per MB (perf stat on the syscall tracepoints of the
# proxy's pids, in an extra run). All traffic is on 127.0.0.1; every run is bounded by iperf3 -t.
#
# usage: bench/tcp.sh [PIN=pinned] [REPS=2] [STREAMS="1 4"]
#        bench/tcp.sh churn [PIN=pinned] [REPS=2]
#   pinned: iperf3 client and server on cpu0, the proxy (Ringway: one event loop) on cpu1.
#   churn: connection churn instead of bulk bytes: `wrk -t1 -c32 -H 'Connection: close'` (a new proxied
#   connection per request) through each proxy's TCP listener to the harness's nginx backend (100 B GET), run by
#   the harness's http_bench.sh (workload `close`, THREADS=1 CONNS=32); the systems are HAProxy `mode tcp`
#   (nbthread 1, as system cmd:haproxy_tcp, pinned like Ringway) and Ringway's tcp-proxy per TRANSPORTS (default
#   "io_uring epoll" here), warmed by warm-start.sh tcpchurn. The table's req/s is connections/s, CPU-s/100k req
#   is per 100k proxied connections, syscalls/req is per proxied connection. Results: $RES_DIR/http.tsv, summary.md.
#   env BEFORE_JAR: also measure that jar (systems ringway_<transport>_before) in the same run, for the TRANSPORTS
#   entries in BEFORE_TRANSPORTS (default io_uring; an entry with options the older jar does not know fails to validate).
# env: RINGWAY_JAR, TRANSPORTS, JAVA_OPTS, RINGWAY_WARMUP, RES_DIR, WAIT_FOR, SHARED_BENCH (see bench/common.sh);
#      SYSTEMS_BEFORE (default "direct haproxy1"): peer systems measured first; SECS (10): iperf3 -t;
#      PERF (1): do the perf-attached run.
# needs: apt-get install -y haproxy iperf3 jq bc linux-perf
# Results: $RES_DIR/tcp.tsv, summary.md (tables), machine.txt, load.txt, jit.txt (warm-up), raw/ (iperf3 JSON,
# perf output, Ringway logs).
set -euo pipefail
if [ "${1:-}" = churn ]; then
  shift
  export TRANSPORTS=${TRANSPORTS:-"io_uring epoll"}
  . "$(dirname "$0")/common.sh"
  PIN=${1:-pinned}
  REPS=${2:-2}
  results_dir tcp-churn
  backend_port=18081   # the harness's nginx backend (lib.sh BACKEND_PORT)
  haproxy_port=18093
  mkdir -p "$RUN_DIR/haproxy-tcp"
  # The harness's own HAProxy is `mode http`; this is its `mode tcp` twin (same globals and timeouts).
  cat > "$RUN_DIR/haproxy-tcp/haproxy.cfg" <<EOF
global
  nbthread 1
  maxconn 8000
defaults
  mode tcp
  timeout connect 5s
  timeout client 60s
  timeout server 60s
frontend fe
  bind 127.0.0.1:$haproxy_port
  default_backend be
backend be
  server s1 127.0.0.1:$backend_port
EOF
  export PROXY_CMD_haproxy_tcp="haproxy -db -f $RUN_DIR/haproxy-tcp/haproxy.cfg" PROXY_PORT_haproxy_tcp=$haproxy_port
  systems=${SYSTEMS_BEFORE-"cmd:haproxy_tcp"}
  mkdir -p "$RUN_DIR/ringway-tcpchurn"
  for transport in $TRANSPORTS; do
    label=$(label_of "$transport")
    ringway_tcp_yaml "$transport" "$backend_port" > "$RUN_DIR/ringway-tcpchurn/$label.yaml"
    if [ -n "${BEFORE_JAR:-}" ] && [[ " ${BEFORE_TRANSPORTS:-io_uring} " == *" $transport "* ]]; then
      # the same config on an older jar, measured in the same run
      ringway_system "${label}_before" "$RUN_DIR/ringway-tcpchurn/$label.yaml" tcpchurn "" "$BEFORE_JAR"
    fi
    ringway_system "$label" "$RUN_DIR/ringway-tcpchurn/$label.yaml" tcpchurn
  done
  wait_for_others
  describe_machine "$RES_DIR/machine.txt"
  start_load_sampler
  echo "command: bench/tcp.sh churn PIN=$PIN REPS=$REPS DUR=${DUR:-10s} THREADS=1 CONNS=32 systems='$systems'" >> "$RES_DIR/machine.txt"
  THREADS=1 CONNS=32 WARM=${HARNESS_WARM:-2s} "$shared/http_bench.sh" "$PIN" "$REPS" "$systems" close
  echo "load_after: $(cat /proc/loadavg)" >> "$RES_DIR/machine.txt"
  for s in $systems; do   # keep Ringway's logs and its JIT warm-up summary
    case $s in cmd:ringway*) l=${s#cmd:}
      cp "$RUN_DIR/cmd-$l/stdout" "$RES_DIR/raw/$l.log" 2>/dev/null || true
      { grep -h "warm-start: JIT" "$RES_DIR/raw/$l.log" 2>/dev/null || true; } | sed "s/^/$l: /" >> "$RES_DIR/jit.txt" ;;
    esac
  done
  { echo "TCP proxy connection churn (wrk -t1 -c32 -H 'Connection: close' through a TCP listener): req/s = proxied"
    echo "connections/s, CPU-s/100k req = per 100k proxied connections, syscalls/req = per proxied connection"
    echo; (cd "$shared" && RES_DIR="$RES_DIR" ./summarize.sh); } > "$RES_DIR/summary.md"
  cat "$RES_DIR/summary.md"
  echo "results: $RES_DIR" >&2
  exit 0
fi
. "$(dirname "$0")/common.sh"
PIN=${1:-pinned}
REPS=${2:-2}
STREAMS=${3:-"1 4"}
results_dir tcp

# Without it the harness's iperf3 server never starts, and the run ends with "port 15201 never opened".
command -v iperf3 >/dev/null || { echo "bench: iperf3 missing (apt-get install -y iperf3)" >&2; exit 2; }
iperf_port=15201   # the harness's iperf3 server (lib.sh IPERF_PORT)
systems=${SYSTEMS_BEFORE-"direct haproxy1"}
ringway_systems tcp "$iperf_port"
wait_for_others
describe_machine "$RES_DIR/machine.txt"
start_load_sampler
echo "command: PIN=$PIN REPS=$REPS STREAMS='$STREAMS' SECS=${SECS:-10} systems='$systems'" >> "$RES_DIR/machine.txt"
"$shared/tcp_bench.sh" "$PIN" "$REPS" "$systems" "$STREAMS"
echo "load_after: $(cat /proc/loadavg)" >> "$RES_DIR/machine.txt"
for s in $systems; do   # keep Ringway's logs (the harness's run dir is reused) and its JIT warm-up summary
  case $s in cmd:*) l=${s#cmd:}
    cp "$RUN_DIR/cmd-$l/stdout" "$RES_DIR/raw/$l.log" 2>/dev/null || true
    { grep -h "warm-start: JIT" "$RES_DIR/raw/$l.log" 2>/dev/null || true; } | sed "s/^/$l: /" >> "$RES_DIR/jit.txt" ;;
  esac
done
(cd "$shared" && RES_DIR="$RES_DIR" ./summarize.sh) > "$RES_DIR/summary.md"
cat "$RES_DIR/summary.md"
echo "results: $RES_DIR" >&2
