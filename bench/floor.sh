#!/usr/bin/env bash
# How far below HAProxy's one thread is the floor of a Java proxy on Netty? Issue 5 asks the http-router on one
# pinned event loop for more req/s than HAProxy 2.6 with one thread. This run puts, side by side and interleaved
# rep by rep (the VM's speed drifts by ±20 % within minutes, so only ratios within one rep are compared):
#   haproxy1   HAProxy `mode http`, nbthread 1, the peers' own config (../shared/bench/lib.sh)
#   ringway    Ringway's http-router on io_uring, one event loop (the same config as bench/http.sh)
#   floor_l7   bench/HttpFloor.java l7: Netty's HTTP/1.1 codecs and a pooled upstream on one io_uring loop, with
#              none of a router's work (no routing, checks, timers, stats, added headers)
#   floor_l4   bench/HttpFloor.java l4: a byte relay on one io_uring loop, no HTTP at all
# Pinning as in bench/http.sh: the nginx backend and wrk on cpu0, the proxy on cpu1. A JVM starts unpinned, sized
# for one cpu (-XX:ActiveProcessorCount=1), is warmed with the measured load itself (wrk -c64 on cpu0) for
# FLOOR_WARM_SECS, then every one of its threads is pinned to cpu1 before the measured run. Reports req/s and the proxy's
# CPU microseconds per request (utime+stime of all its threads over the measured run). All traffic on 127.0.0.1;
# every run is bounded by wrk -d.
#
# usage: bench/floor.sh [REPS=3] [WORKLOADS="small 4k echo4k"]
# env: RINGWAY_JAR, RES_DIR, WAIT_FOR (bench/common.sh); FLOOR_WARM_SECS (40), DUR (10s), SYSTEMS (all four, in the order
#      above), FLOOR_TRANSPORT (io_uring; or epoll)
# needs: apt-get install -y nginx libnginx-mod-http-echo haproxy wrk bc
# Results: $RES_DIR/floor.tsv (rep, system, workload, req/s, CPU us per request), summary.md, machine.txt, raw/.
set -euo pipefail
. "$(dirname "$0")/common.sh"
REPS=${1:-3}
WORKLOADS=${2:-"small 4k echo4k"}
SYSTEMS=${SYSTEMS:-"haproxy1 ringway floor_l7 floor_l4"}
FLOOR_WARM_SECS=${FLOOR_WARM_SECS:-40}
DUR=${DUR:-10s}
FLOOR_TRANSPORT=${FLOOR_TRANSPORT:-io_uring}
results_dir floor
mkdir -p "$RES_DIR/raw"
. "$shared/lib.sh"
trap 'stop_all' EXIT
wait_for_others
describe_machine "$RES_DIR/machine.txt"
echo "command: REPS=$REPS WORKLOADS='$WORKLOADS' SYSTEMS='$SYSTEMS' FLOOR_WARM_SECS=$FLOOR_WARM_SECS DUR=$DUR FLOOR_TRANSPORT=$FLOOR_TRANSPORT" >> "$RES_DIR/machine.txt"
ringway_http_yaml io_uring "$BACKEND_PORT" > "$RUN_DIR/floor-ringway.yaml"
post="$RUN_DIR/floor-post.lua"
printf 'wrk.method="POST"\nwrk.body=string.rep("a",4096)\n' > "$post"
java="$JAVA_HOME/bin/java --enable-native-access=ALL-UNNAMED -XX:ActiveProcessorCount=1 $JAVA_OPTS"

url() { # workload port -> wrk arguments
  case $1 in
    small)  echo "http://127.0.0.1:$2/" ;;
    4k)     echo "http://127.0.0.1:$2/4k" ;;
    echo4k) echo "-s $post http://127.0.0.1:$2/echo" ;;
    *) echo "bench: unknown workload $1" >&2; exit 2 ;;
  esac
}

start_system() { # system workload -> PROXY_PID, port; a JVM is warmed with the workload and then pinned
  local sys=$1 wl=$2 log="$RES_DIR/raw/$1-$2-$rep.log"
  case $sys in
    haproxy1)
      start_haproxy 1 1 always; port=$HAPROXY_PORT
      taskset -c 0 wrk -t2 -c64 -d2s $(url "$wl" "$port") > /dev/null 2>&1
      return ;;
    ringway)  $java -jar "$jar" --conf "$RUN_DIR/floor-ringway.yaml" > "$log" 2>&1 & ;;
    floor_l7|floor_l4)
      $java -cp "$jar" "$bench_here/HttpFloor.java" "${sys#floor_}" "$FLOOR_TRANSPORT" "$proxy_port" "$BACKEND_PORT" > "$log" 2>&1 & ;;
    *) echo "bench: unknown system $sys" >&2; exit 2 ;;
  esac
  PROXY_PID=$!; STARTED_PIDS+=("$PROXY_PID"); port=$proxy_port
  local i
  for i in $(seq 1 400); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    kill -0 "$PROXY_PID" 2>/dev/null || { echo "bench: $sys exited at start; see $log" >&2; exit 1; }
    sleep 0.05
  done
  taskset -c 0 wrk -t2 -c64 -d"${FLOOR_WARM_SECS}s" $(url "$wl" "$port") > /dev/null 2>&1
  taskset -a -p -c 1 "$PROXY_PID" > /dev/null
  sleep 1
}

tsv="$RES_DIR/floor.tsv"
printf 'rep\tsystem\tworkload\treq_s\tcpu_us_per_req\n' > "$tsv"
start_backend 1 0
for rep in $(seq 1 "$REPS"); do
  for wl in $WORKLOADS; do
    for sys in $SYSTEMS; do
      log "rep $rep: $sys $wl"
      start_system "$sys" "$wl"
      out="$RES_DIR/raw/$sys-$wl-$rep.wrk"
      before=$(cpu_ticks "$PROXY_PID")
      taskset -c 0 wrk -t2 -c64 -d"$DUR" --latency $(url "$wl" "$port") > "$out" 2>&1
      after=$(cpu_ticks "$PROXY_PID")
      read -r rps reqs _ _ errs < <(parse_wrk "$out")
      [ "$errs" = 0 ] || echo "bench: $sys $wl rep $rep: $errs errors (see $out)" >&2
      printf '%s\t%s\t%s\t%s\t%s\n' "$rep" "$sys" "$wl" "$rps" \
        "$(echo "scale=2; ($after - $before) * 1000000 / $CLK_TCK / $reqs" | bc)" | tee -a "$tsv"
      stop_pid "$PROXY_PID"
    done
  done
done
stop_all

# per system and workload: each rep's req/s as a ratio to haproxy1's in the same rep, then the median over reps
awk -F'\t' 'NR > 1 { rps[$1, $2, $3] = $4; cpu[$1, $2, $3] = $5; sys[$2] = 1; wl[$3] = 1; if ($1 > reps) reps = $1 }
  function median(a, n,   i, j, t) {
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
  END {
    for (w in wl) for (s in sys) {
      r = ""; q = ""; c = ""; n = 0
      for (i = 1; i <= reps; i++) {
        if (!((i, s, w) in rps)) continue
        n++; x[n] = ((i, "haproxy1", w) in rps) ? rps[i, s, w] / rps[i, "haproxy1", w] : 0
        r = r (r ? " / " : "") int(rps[i, s, w]); q = q (q ? " / " : "") sprintf("%.2fx", x[n])
        c = c (c ? " / " : "") cpu[i, s, w]
      }
      if (n) printf "| %s | %s | %s | %s | %.2fx | %s |\n", s, w, r, q, median(x, n), c
    }
  }' "$tsv" | sort -t'|' -k3,3 -k2,2 > "$RES_DIR/rows.md"
{ echo "| system | workload | req/s per rep | vs haproxy1 per rep | median vs haproxy1 | CPU us/req per rep |"
  echo "|---|---|---|---|---|---|"; cat "$RES_DIR/rows.md"; } > "$RES_DIR/summary.md"; rm "$RES_DIR/rows.md"
cat "$RES_DIR/summary.md"
echo "results: $RES_DIR" >&2
