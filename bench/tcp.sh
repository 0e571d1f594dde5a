#!/usr/bin/env bash
# L4 benchmark: iperf3 through Ringway on io_uring, epoll and NIO, beside iperf3 direct and HAProxy
# `mode tcp`, in one run, with the peers' harness from ../shared/bench (tcp_bench.sh: Gbit/s, proxy
# CPU-seconds per 10 GB, syscalls per MB from perf's syscall tracepoints). All traffic is on 127.0.0.1;
# every run is bounded by iperf3 -t.
#
# usage: bench/tcp.sh [PIN=pinned] [REPS=2] [STREAMS="1 4"]
# needs: apt-get install -y haproxy iperf3 jq bc linux-perf (see ../shared/bench/README.md)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
shared=${SHARED_BENCH:-$root/../shared/bench}
PIN=${1:-pinned}
REPS=${2:-2}
STREAMS=${3:-"1 4"}
[ -x "$shared/tcp_bench.sh" ] || { echo "bench: $shared/tcp_bench.sh not found (set SHARED_BENCH)" >&2; exit 2; }
. "$root/.ci/find-jdk"
jar=$root/modules/ringway-launcher/target/ringway.jar
[ -f "$jar" ] || (cd "$root" && ./mvnw -q -B -Dmaven.test.skip=true install)
# perf's per-syscall tracepoints live in tracefs
[ -d /sys/kernel/tracing/events/syscalls ] || mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null || true

iperf_port=15201   # the harness's iperf3 server (lib.sh IPERF_PORT)
proxy_port=18090
conf=$(mktemp -d)
trap 'rm -rf "$conf"' EXIT
systems="direct haproxy1"
for transport in io_uring epoll nio; do
  cat > "$conf/$transport.yaml" <<YAML
transport: $transport
eventLoops: 1              # one loop on the one proxy core the harness pins
verticles: [tcp-proxy]
clusters:
  - name: iperf
    endpoints: [{host: 127.0.0.1, port: $iperf_port}]
    outlierDetection: false
tcp:
  listeners:
    - {name: bench, host: 127.0.0.1, port: $proxy_port, cluster: iperf, idleTimeout: "0"}
YAML
  label=ringway_$transport
  export "PROXY_CMD_$label=$JAVA_HOME/bin/java --enable-native-access=ALL-UNNAMED -Xms256m -Xmx256m -jar $jar --conf $conf/$transport.yaml"
  export "PROXY_PORT_$label=$proxy_port"
  systems+=" cmd:$label"
done
export RES_DIR=${RES_DIR:-$here/results}
export RUN_DIR=${RUN_DIR:-$here/run}
"$shared/tcp_bench.sh" "$PIN" "$REPS" "$systems" "$STREAMS"
echo "results: $RES_DIR/tcp.tsv" >&2
