#!/usr/bin/env bash
# Latency at the same load (issue 17: "p99 ≤ HAProxy's at the same load"): every system gets the same fixed
# request rate, a share (RATE_SHARE, default 0.7) of HAProxy's own peak measured first in this run, so no system's
# percentiles come from a queue it built by being faster or slower than the others, as they do at saturation.
#   1. HAProxy's peak: the harness's closed-loop wrk (-t2 -c64, as bench/http.sh) on haproxy1 alone, one run per
#      workload (PEAK_DUR, default 10s).
#   2. bench/http.sh with FIXED_RATES set: its systems (nginx1, haproxy1, Ringway's TRANSPORTS, vertx_http_proxy),
#      warmed as there, each measured open-loop at RATE_SHARE x that peak by h2load through bench/wrk-wrap/wrk
#      (same connections, threads, duration; `close` opens a connection per request at the rate), after a warm-up
#      of HARNESS_WARM (default here 10s) at that rate (see bench/wrk-wrap/wrk for why the open loop needs its own).
# Output as bench/http.sh's (columns.md with the ratios to haproxy1, latency-<workload>.svg), plus rates.txt.
# A system that cannot keep the rate shows it as req/s below the others' in columns.md.
#
# usage: bench/latency.sh [PIN=pinned] [REPS=2] [WORKLOADS="small 4k echo4k close"]
# env: RATE_SHARE (0.7), PEAK_DUR (10s), HARNESS_WARM (10s), and everything bench/http.sh takes.
# needs: apt-get install -y nghttp2-client (h2load), and bench/http.sh's packages
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/common.sh"
PIN=${1:-pinned}
REPS=${2:-2}
WORKLOADS=${3:-"small 4k echo4k close"}
command -v h2load >/dev/null || { echo "bench: h2load missing (apt-get install -y nghttp2-client)" >&2; exit 2; }
results_dir latency
wait_for_others
mkdir -p "$RES_DIR/peak"
RES_DIR="$RES_DIR/peak" DUR=${PEAK_DUR:-10s} PERF=0 "$shared/http_bench.sh" "$PIN" 1 haproxy1 "$WORKLOADS" >&2
rates=""
for wl in $WORKLOADS; do
  peak=$(awk -F'\t' -v w="$wl" '$3 == "haproxy1" && $4 == w {print $7; exit}' "$RES_DIR/peak/http.tsv")
  [ -n "$peak" ] || { echo "bench: no HAProxy peak for $wl in $RES_DIR/peak/http.tsv" >&2; exit 1; }
  rates+="$wl=$(awk -v p="$peak" -v s="${RATE_SHARE:-0.7}" 'BEGIN {printf "%d", p * s}') "
done
echo "HAProxy peak x ${RATE_SHARE:-0.7}: $rates" | tee "$RES_DIR/rates.txt" >&2
# A system that fails to start ends the harness (the vertx_http_proxy app has run out of its 256 MB heap under the
# churn warm-up): the systems measured before it still get their columns and plots.
FIXED_RATES=$rates HARNESS_WARM=${HARNESS_WARM:-10s} RES_DIR=$RES_DIR "$here/http.sh" "$PIN" "$REPS" "$WORKLOADS" \
  || { echo "bench: bench/http.sh failed; reporting what was measured" >&2; "$here/http-report.sh" "$RES_DIR"; exit 1; }
