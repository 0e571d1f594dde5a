#!/usr/bin/env bash
# GC choice for the proxy (issue 17): the same warmed Ringway under the same saturating load (wrk -t2 -c64 small GET,
# pinned as bench/http.sh pins: wrk and the nginx backend on cpu0, Ringway on cpu1 with one io_uring loop) for DUR
# seconds per collector, with -Xlog:gc*. Per collector: req/s, p99/p99.9/max latency, GC pauses in the measured
# window (count, p99, max, total), proxy CPU-s per 100k requests, RSS (VmRSS at the end, VmHWM). No AOT cache (it
# only fits the collector it was trained with) and no conf/jvm.options (it names one): steady state after WARMUP.
#
# usage: bench/gc.sh [DUR=60] [COLLECTORS="serial g1 zgc shenandoah"]
# env: RINGWAY_JAR, HEAP (256m: -Xms = -Xmx), WARMUP (15: seconds of the same load before measuring), RES_DIR,
#      WORKLOAD (small: keep-alive; close: a new connection per request, wrk's Connection: close)
# Results: $RES_DIR/gc.tsv, summary.md, raw/ (GC logs, wrk output, Ringway logs)
set -euo pipefail
. "$(dirname "$0")/common.sh"
. "$bench_here/jvm-lib.sh"
DUR=${1:-60}
COLLECTORS=${2:-"serial g1 zgc shenandoah"}
HEAP=${HEAP:-256m}
WARMUP=${WARMUP:-15}
mkdir -p "$RES_DIR/raw"
trap stop_all EXIT INT TERM
describe_machine "$RES_DIR/machine.txt"
echo "command: HEAP=$HEAP WARMUP=$WARMUP WORKLOAD=${WORKLOAD:-small} bench/gc.sh $DUR '$COLLECTORS'" >> "$RES_DIR/machine.txt"
lua="$RUN_DIR/percentiles.lua"; wrk_percentiles_lua "$lua"
start_backend 1 0
printf 'collector\trps\tp99_ms\tp999_ms\tmax_ms\tpauses\tpause_p99_ms\tpause_max_ms\tpause_total_ms\tcpu_s_per100k\trss_mib\thwm_mib\n' > "$RES_DIR/gc.tsv"
WORKLOAD=${WORKLOAD:-small}
case $WORKLOAD in
  small) wrk_headers=() ;;
  close) wrk_headers=(-H 'Connection: close') ;;
  *) echo "bench: unknown WORKLOAD $WORKLOAD (known: small close)" >&2; exit 2 ;;
esac
for gc in $COLLECTORS; do
  case $gc in
    serial) flags=(-XX:+UseSerialGC) ;;
    g1) flags=(-XX:+UseG1GC) ;;
    zgc) flags=(-XX:+UseZGC) ;;        # generational: the only ZGC mode of JDK 25 (JEP 490)
    shenandoah) flags=(-XX:+UseShenandoahGC) ;;
    *) echo "bench: unknown collector $gc (known: serial g1 zgc shenandoah)" >&2; exit 2 ;;
  esac
  gclog="$RES_DIR/raw/$gc.gc.log"
  opts=("-Xms$HEAP" "-Xmx$HEAP" -XX:+AlwaysPreTouch "${flags[@]}" "-Xlog:gc*,safepoint:file=$gclog:uptime,tags")
  start_ringway "$RES_DIR/raw/$gc.log" "${opts[@]}"
  await_ready "$RES_DIR/raw/$gc.log" > /dev/null
  taskset -c 0 wrk -t2 -c64 "${wrk_headers[@]}" -d"${WARMUP}s" "http://127.0.0.1:$proxy_port/" > /dev/null 2>&1
  mark=$(wc -l < "$gclog")
  c0=$(proxy_cpu_ticks)
  taskset -c 0 wrk -t2 -c64 "${wrk_headers[@]}" -d"${DUR}s" -s "$lua" "http://127.0.0.1:$proxy_port/" > "$RES_DIR/raw/$gc.wrk" 2>&1
  c1=$(proxy_cpu_ticks)
  rss=$(awk '/VmRSS/{print int($2/1024)}' "/proc/$RW_PID/status"); hwm=$(awk '/VmHWM/{print int($2/1024)}' "/proc/$RW_PID/status")
  stop_pid "$RW_PID"
  # GC pauses of the measured window: every "Pause ... N.NNNms" line (G1/Serial: the whole pause; ZGC and
  # Shenandoah: each of their short pauses) after the warm-up's lines
  tail -n +"$((mark + 1))" "$gclog" | grep -E '\[gc(,phases)?\s*\].*Pause.* [0-9.]+ms$' | grep -vE 'Pause (Young|Full).*\(.*\) *$' \
    | sed -E 's/.* ([0-9.]+)ms$/\1/' | sort -g > "$RES_DIR/raw/$gc.pauses"
  awk -F'\t' -v OFS='\t' -v gc="$gc" -v c=$((c1 - c0)) -v hz="$CLK_TCK" -v rss="$rss" -v hwm="$hwm" -v pf="$RES_DIR/raw/$gc.pauses" '
    /Requests\/sec:/ {split($0, a, " "); rps=a[2]} / requests in / {split($0, a, " "); reqs=a[1]}
    /^percentile/ {split($0, a, " "); p[a[2]]=a[3]/1000}
    END { n=0; tot=0; while ((getline v < pf) > 0) { n++; x[n]=v; tot+=v }
          k=int(n*0.99); if (k<1) k=n
          print gc, rps, p["99"], p["99.9"], p["100"], n, (n?x[k]:0), (n?x[n]:0), tot, sprintf("%.3f", c/hz*100000/reqs), rss, hwm }' \
    "$RES_DIR/raw/$gc.wrk" | tee -a "$RES_DIR/gc.tsv"
  sleep 1
done
{
  echo "| collector | req/s | p99 ms | p99.9 ms | max ms | GC pauses in ${DUR}s | pause p99 ms | pause max ms | pause total ms | proxy CPU-s/100k | RSS MiB (end / peak) |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|"
  awk -F'\t' 'NR>1 {printf "| %s | %s | %.2f | %.2f | %.2f | %s | %.3f | %.3f | %.1f | %s | %s / %s |\n", $1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12}' "$RES_DIR/gc.tsv"
  echo
  echo "heap -Xms$HEAP -Xmx$HEAP, AlwaysPreTouch; $(sed -n 's/^cpu: //p' "$RES_DIR/machine.txt")"
} > "$RES_DIR/summary.md"
cat "$RES_DIR/summary.md"
echo "results: $RES_DIR" >&2
