#!/usr/bin/env bash
# L4 benchmark: iperf3 through Ringway's tcp-proxy on io_uring, epoll and NIO, beside iperf3 direct and
# HAProxy `mode tcp` (nbthread 1), all in one run of the peers' harness ../shared/bench/tcp_bench.sh:
# Gbit/s, proxy CPU-seconds per 10 GB, syscalls per MB (perf stat on the syscall tracepoints of the
# proxy's pids, in an extra run). All traffic is on 127.0.0.1; every run is bounded by iperf3 -t.
#
# usage: bench/tcp.sh [PIN=pinned] [REPS=2] [STREAMS="1 4"]
#   pinned: iperf3 client and server on cpu0, the proxy (Ringway: one event loop) on cpu1.
# env: RINGWAY_JAR, TRANSPORTS, JAVA_OPTS, RINGWAY_WARMUP, RES_DIR, WAIT_FOR, SHARED_BENCH (see bench/common.sh);
#      SYSTEMS_BEFORE (default "direct haproxy1"): peer systems measured first; SECS (10): iperf3 -t;
#      PERF (1): do the perf-attached run.
# needs: apt-get install -y haproxy iperf3 jq bc linux-perf
# Results: $RES_DIR/tcp.tsv, summary.md (tables), machine.txt, load.txt, jit.txt (warm-up), raw/ (iperf3 JSON,
# perf output, Ringway logs).
set -euo pipefail
. "$(dirname "$0")/common.sh"
PIN=${1:-pinned}
REPS=${2:-2}
STREAMS=${3:-"1 4"}
results_dir tcp

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
