#!/usr/bin/env bash
# Transport comparison (issue 8): the same Ringway jar on io_uring, epoll and NIO, for the TCP proxy, the HTTP router
# and the TUN bridge, in one run, reported as ONE table (plus a PNG of HTTP req/s and syscalls per request).
#
# Per (component, transport):
#   throughput   TCP: iperf3 -P$TCP_STREAMS through tcp-proxy, Gbit/s (receiver); HTTP: wrk -t$THREADS -c$CONNS, small
#                GET (100 B body) through http-router to the peers' nginx backend, req/s; TUN: iperf3 -P$TUN_STREAMS
#                across the tun-bridge between two network namespaces made here, Gbit/s. Mean of REPS clean runs.
#   p99 latency  TCP: round trips of $RTT_SIZE-byte messages on one connection through the proxy to an echo server
#                (bench/TcpRtt.java), unloaded; HTTP: wrk --latency of the clean runs (loaded, 64 connections), mean
#                over runs; TUN: ping -c $PING_COUNT across the tunnel (56-byte ICMP), unloaded.
#   CPU          utime+stime of the proxy JVM (all threads, /proc/<pid>/stat; TUN: both bridge JVMs) over the clean
#                runs, per GB (10^9 bytes; TCP, TUN) or per 100k requests (HTTP).
#   syscalls     `strace -c -f -p <JVM pid>` attached during a separate window of STRACE_SECS of the same load (strace
#                slows the process: nothing else is taken from that window), total calls divided by the MB (2^20
#                bytes; TCP, TUN; TUN also per packet handled) or requests (HTTP) done in the window.
# TCP and HTTP: Ringway started through bench/warm-start.sh (JIT warm-up, then hot reload onto the measured port),
# `eventLoops: 1`; PIN=pinned puts the load generator, backend and echo server on cpu0 and the proxy on cpu1, as the
# peers' harness does. TUN: bridges as in bench/tun.sh (bench/tun-lib.sh), `eventLoops: 1`, unpinned unless
# TUN_PIN=split; a transport the bridge may refuse (anything but io_uring and epoll) is probed once first, and a refusal is reported as the row.
#
# usage: bench/transports.sh [COMPONENTS="tcp http tun"]
# env: TRANSPORTS ("io_uring epoll nio"; TRANSPORT+TAG variants as in common.sh, TCP/HTTP only), REPS (2), SECS (10)
#      per clean run, STRACE_SECS (5), PIN (pinned | unpinned), TCP_STREAMS (4), RTT_COUNT (20000), RTT_SIZE (64),
#      RTT_SECS (5: cap), CONNS (64), THREADS (2), HTTP_PATH (/), TUN_STREAMS (1), TUN_WARM_SECS (5), PING_COUNT (300),
#      PING_INTERVAL (0.01), TUN_PIN (unpinned | split), TUN_MTU (1420), WARM_BUDGET (25) and WARM_SECS (2) of
#      warm-start.sh, RINGWAY_WARMUP (1), JAVA_OPTS, RINGWAY_JAR, RES_DIR, WAIT_MAX (300: seconds to wait at each gate
#      while others' benchmarks run, then go ahead), OTHERS (their pgrep -f pattern).
#      PORT_BASE (18290): loopback ports PORT_BASE (proxy), +1 (its warm-up), +2 (RTT listener) -> +3 (echo), +4 (nginx
#      backend), +5 (iperf3); a row whose port is taken by another process is reported as failed, not measured.
# TUN: namespaces made here, underlays 192.168.177+.0/24, iperf3 on 15311 inside them.
# Bounded: every load has -t/-d/-c and a timeout; every process is stopped by pid; namespaces are deleted on exit.
# Defaults take ~9 min (3 transports x 3 components); REPS=1 SECS=3 STRACE_SECS=2 WARM_BUDGET=10 ~4 min.
# needs: root (TUN), wrk iperf3 strace gnuplot ping nginx (+ libnginx-mod-http-echo) jq bc perf taskset curl, a JDK.
# Results: $RES_DIR/transports.tsv (one row per component x transport), runs.tsv (every clean run), transports.md (the
# table), transports.png, machine.txt, load.txt, raw/ (iperf3 JSON, wrk, strace -c, ping, RTT, configs, logs).
set -euo pipefail
bench_dir=$(cd "$(dirname "$0")" && pwd)
COMPONENTS=${1:-"tcp http tun"}
REPS=${REPS:-2}; SECS=${SECS:-10}; STRACE_SECS=${STRACE_SECS:-5}
PIN=${PIN:-pinned}; TUN_PIN=${TUN_PIN:-unpinned}
TCP_STREAMS=${TCP_STREAMS:-4}; RTT_COUNT=${RTT_COUNT:-20000}; RTT_SIZE=${RTT_SIZE:-64}; RTT_SECS=${RTT_SECS:-5}
CONNS=${CONNS:-64}; THREADS=${THREADS:-2}; HTTP_PATH=${HTTP_PATH:-/}
TUN_STREAMS=${TUN_STREAMS:-1}; TUN_WARM_SECS=${TUN_WARM_SECS:-5}; TUN_MTU=${TUN_MTU:-1420}
PING_COUNT=${PING_COUNT:-300}; PING_INTERVAL=${PING_INTERVAL:-0.01}
WAIT_MAX=${WAIT_MAX:-300}
OTHERS=${OTHERS:-'tcp_bench.sh|http_bench.sh|wrk |iperf3 -c '}
export RES_DIR=${RES_DIR:-$bench_dir/results/transports-$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$RES_DIR/raw"; RES_DIR=$(cd "$RES_DIR" && pwd)
export RUN_DIR=${RUN_DIR:-$bench_dir/run/transports}
. "$bench_dir/common.sh"           # JDK, $jar, TRANSPORTS, label_of, ringway_*_yaml, ringway_system, describe_machine, ...
. "$shared/lib.sh"                 # start_backend, start_cmd_proxy, stop_all, cpu_ticks, parse_wrk, pin, log
. "$bench_dir/tun-lib.sh"          # namespaces, keys, bridges, iperf3 in namespaces, wait_turn, tun_teardown
for tool in wrk iperf3 strace gnuplot ping nginx curl; do
  command -v "$tool" >/dev/null || { echo "bench: $tool missing (apt-get install -y wrk iperf3 strace gnuplot-nox iputils-ping nginx libnginx-mod-http-echo curl)" >&2; exit 2; }
done
case " $COMPONENTS " in *" tun "*)
  [ "$(id -u)" = 0 ] || { echo "bench: the tun component needs root (network namespaces, TUN)" >&2; exit 2; }
  unzip -l "$jar" 2>/dev/null | grep 'io/ringway/tun/TunBridgeVerticle.class' > /dev/null \
    || { echo "bench: $jar has no tun-bridge classes; rebuild the launcher or set RINGWAY_JAR" >&2; exit 2; } ;;
esac

# own ports, apart from bench/tcp.sh and http.sh (18080-18091, 15201-15203) and the Gatling run (18180-18191)
PORT_BASE=${PORT_BASE:-18290}
proxy_port=$PORT_BASE                              # read by ringway_*_yaml and ringway_system (common.sh)
export PROXY_BENCH_PORT=$proxy_port WARM_PORT=$((PORT_BASE + 1))   # read by warm-start.sh
RTT_PORT=$((PORT_BASE + 2)); ECHO_PORT=$((PORT_BASE + 3))
BACKEND_PORT=$((PORT_BASE + 4)); IPERF_PORT=$((PORT_BASE + 5))     # lib.sh's, read when its functions run
IPERF_PORT_TUN=15311                               # inside our namespaces only
if [ "$PIN" = pinned ] && [ "$(nproc)" -ge 2 ]; then CL_CPU=0; BE_CPU=0; PX_CPU=1; else PIN=unpinned; CL_CPU=""; BE_CPU=""; PX_CPU=""; fi

RAW=$RES_DIR/raw
TSV=$RES_DIR/transports.tsv
RUNS=$RES_DIR/runs.tsv
printf 'component\ttransport\tstatus\tthroughput\tthroughput_unit\tp50_ms\tp99_ms\tlatency_how\tcpu_s\twork\tcpu_per_unit\tcpu_unit\tstrace_syscalls\tstrace_work\tsyscalls_per_unit\tsyscalls_unit\tsyscalls_per_pkt\ttop_syscalls_per_unit\tnote\n' > "$TSV"
printf 'ts\tcomponent\ttransport\trep\tsecs\tthroughput\tunit\twork\tcpu_s\tp50_ms\tp99_ms\terrors\n' > "$RUNS"
sfx=$(printf '%05x' $(( ($$ ^ RANDOM) & 0xfffff )))
strace_pid=""

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  [ -n "${strace_pid:-}" ] && kill -INT "$strace_pid" 2>/dev/null || true
  stop_all                          # lib.sh: proxies (warm-start.sh passes TERM on), nginx backend, iperf3 server
  tun_teardown                      # tun-lib.sh: bridges, namespace iperf3s, strace, keys, namespaces
  [ -n "${sampler_pid:-}" ] && kill "$sampler_pid" 2>/dev/null || true
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ------------------------------------------------------------------ helpers
# nearest-rank percentile P (0..1) of the numbers in FILE (one per line)
pctl() { sort -n "$2" | awk -v p="$1" '{a[NR]=$1} END{ if (!NR) { print "-"; exit } i=int(p*NR); if (i<p*NR) i++; if (i<1) i=1; print a[i] }'; }
gate() { wait_turn "$1" || log "going ahead anyway"; }
# the JVM under warm-start.sh (its child), else the proxy pid itself (RINGWAY_WARMUP=0 execs java)
jvm_pid() { local p; p=$(ps --ppid "$PROXY_PID" -o pid=,comm= | awk '$2=="java"{print $1; exit}'); echo "${p:-$PROXY_PID}"; }

# strace_start OUT PID... : strace -c on every thread of the pids, returns once attached
strace_start() {
  local out=$1 a=() p i; shift
  for p in "$@"; do a+=(-p "$p"); done
  strace -c -f -S calls -o "$out" "${a[@]}" 2> "$out.err" &
  strace_pid=$!; MY_PIDS+=("$strace_pid")
  for i in $(seq 1 100); do [ "$(grep -c attached "$out.err" 2>/dev/null || true)" -ge $# ] && break; sleep 0.1; done
  sleep 0.3
}
strace_stop() { kill -INT "$strace_pid" 2>/dev/null || true; wait "$strace_pid" 2>/dev/null || true; strace_pid=""; }
strace_total() { awk '$NF=="total"{print $4}' "$1" 2>/dev/null | tail -1; }
# strace_top FILE DIVISOR N -> "name=calls/DIVISOR,..." for the N syscalls with most calls
strace_top() {
  awk -v d="$2" -v n="$3" '/^-+ /{sep++; next} sep==1 && NF>=5 && d>0 { if (k<n) printf "%s%s=%.2f", (k++?",":""), $NF, $4/d }' "$1" 2>/dev/null
}

# row COMPONENT TRANSPORT STATUS THROUGHPUT UNIT P50 P99 LATENCY_HOW CPU_S WORK CPU_PER CPU_UNIT SC SC_WORK SC_PER SC_UNIT SC_PKT TOP NOTE
row() { local IFS=$'\t'; echo "$*" >> "$TSV"; log "row: $*"; }
na_row() { row "$1" "$2" "$3" - - - - - - - - - - - - - - - "$4"; }   # COMPONENT TRANSPORT STATUS NOTE
run_row() { local IFS=$'\t'; echo "$(date -u +%FT%TZ)	$*" >> "$RUNS"; }

# availability of each transport here: "name available" / "name <cause>"
TRANSPORT_INFO=$("$JAVA_HOME/bin/java" -jar "$jar" transports 2>&1 || true)
unavailable() { # TOKEN -> prints the cause if the transport is not available here
  local t=${1%%+*} line
  line=$(awk -v t="$t" '$1==t' <<< "$TRANSPORT_INFO")
  [ -z "$line" ] && { echo "unknown to this jar"; return 0; }
  awk '$2!="available"{ $1=""; sub(/^ +/,""); print }' <<< "$line"
}

# busy_port PORT... -> the first port something already listens on (another session's process), else nothing
busy_port() {
  local p
  for p in "$@"; do ss -Hltn "sport = :$p" 2>/dev/null | grep -q . && { echo "$p"; return 0; }; done
  return 0
}

save_log() { cp "$RUN_DIR/cmd-$1/stdout" "$RAW/$2.log" 2>/dev/null || true; }

# ------------------------------------------------------------------ TCP
start_iperf_server_lo() {
  $(pin "$BE_CPU") iperf3 -s -B 127.0.0.1 -p "$IPERF_PORT" > "$RAW/iperf3-server-lo.log" 2>&1 &
  STARTED_PIDS+=("$!")
  wait_port "$IPERF_PORT"
}

measure_tcp() { # TOKEN
  local tok=$1 label conf jpid r out cb ca bytes bps tb=0 tt=0 gsum=0 rtt p50="-" p99="-" sc sb why
  label=$(label_of "$tok"); conf="$RAW/tcp-$label.yaml"
  why=$(unavailable "$tok"); [ -n "$why" ] && { na_row tcp "$label" unavailable "n/a (unavailable: $why)"; return 0; }
  ringway_tcp_yaml "$tok" "$IPERF_PORT" "$RTT_PORT" "$ECHO_PORT" > "$conf"
  ringway_system "$label" "$conf" tcp          # validates; exports PROXY_CMD_/PROXY_PORT_ringway_<label>
  gate "tcp $label"
  why=$(busy_port "$proxy_port" "$WARM_PORT" "$RTT_PORT" "$ECHO_PORT" "$IPERF_PORT")
  [ -n "$why" ] && { na_row tcp "$label" failed "n/a (port $why taken by another process; set PORT_BASE)"; return 0; }
  start_iperf_server_lo
  log "tcp $label: starting Ringway (JIT warm-up on :$WARM_PORT, up to ${WARM_BUDGET:-25} s)"
  start_cmd_proxy "ringway_$label" "$PX_CPU"
  jpid=$(jvm_pid)
  for r in $(seq 1 "$REPS"); do
    out="$RAW/tcp-$label-r$r.iperf.json"
    cb=$(cpu_ticks $PROXY_ACCT_PIDS)
    $(pin "$CL_CPU") timeout -k 5 $((SECS + 30)) iperf3 -c 127.0.0.1 -p "$proxy_port" -t "$SECS" -P "$TCP_STREAMS" -J > "$out" 2>&1 || true
    ca=$(cpu_ticks $PROXY_ACCT_PIDS)
    bps=$(jq -r '.end.sum_received.bits_per_second // 0' "$out" 2>/dev/null || echo 0)
    bytes=$(jq -r '.end.sum_received.bytes // 0' "$out" 2>/dev/null || echo 0)
    tb=$((tb + ${bytes%.*})); tt=$((tt + ca - cb)); gsum=$(awk -v a="$gsum" -v b="$bps" 'BEGIN{print a + b/1e9}')
    run_row tcp "$label" "$r" "$SECS" "$(awk -v b="$bps" 'BEGIN{printf "%.3f", b/1e9}')" Gbit/s "$bytes" "$(awk -v t=$((ca - cb)) -v h="$CLK_TCK" 'BEGIN{printf "%.2f", t/h}')" - - -
  done
  # round-trip latency: one connection, one message in flight, through the proxy's `rtt` listener to TcpRtt's echo
  rtt="$RAW/tcp-$label-rtt.txt"
  $(pin "$CL_CPU") timeout -k 5 $((RTT_SECS + 60)) "$JAVA_HOME/bin/java" -Xmx64m -XX:+UseSerialGC -cp "$RUN_DIR/rtt" TcpRtt \
    "$RTT_PORT" "$ECHO_PORT" "$RTT_COUNT" 2000 "$RTT_SIZE" "$RTT_SECS" > "$rtt" 2>&1 || true
  if grep -q '^rtt n=' "$rtt"; then
    p50=$(sed -n 's/.* p50_us=\([0-9.]*\).*/\1/p' "$rtt" | awk '{printf "%.3f", $1/1000}')
    p99=$(sed -n 's/.* p99_us=\([0-9.]*\).*/\1/p' "$rtt" | awk '{printf "%.3f", $1/1000}')
  else log "tcp $label: RTT measurement failed: $(head -c 200 "$rtt")"; fi
  # syscalls: strace on the JVM during a separate load window
  out="$RAW/tcp-$label-strace.iperf.json"
  strace_start "$RAW/tcp-$label.strace" "$jpid"
  $(pin "$CL_CPU") timeout -k 5 $((STRACE_SECS + 30)) iperf3 -c 127.0.0.1 -p "$proxy_port" -t "$STRACE_SECS" -P "$TCP_STREAMS" -J > "$out" 2>&1 || true
  strace_stop
  sb=$(jq -r '.end.sum_received.bytes // 0' "$out" 2>/dev/null || echo 0); sc=$(strace_total "$RAW/tcp-$label.strace")
  local alive=ok; kill -0 "$jpid" 2>/dev/null || alive="failed"
  stop_all; save_log "ringway_$label" "tcp-$label"
  row tcp "$label" "$alive" "$(awk -v g="$gsum" -v n="$REPS" 'BEGIN{printf "%.3f", g/n}')" Gbit/s "$p50" "$p99" \
    "RTT ${RTT_SIZE} B, 1 conn, unloaded" "$(awk -v t="$tt" -v h="$CLK_TCK" 'BEGIN{printf "%.2f", t/h}')" "$tb" \
    "$(awk -v t="$tt" -v h="$CLK_TCK" -v b="$tb" 'BEGIN{ if (b>0) printf "%.3f", t/h/(b/1e9); else print "-" }')" "CPU-s/GB" \
    "${sc:--}" "$sb" "$(awk -v s="${sc:-0}" -v b="$sb" 'BEGIN{ if (b>0 && s>0) printf "%.2f", s/(b/1048576); else print "-" }')" "/MB" - \
    "$(strace_top "$RAW/tcp-$label.strace" "$(awk -v b="$sb" 'BEGIN{print b/1048576}')" 4)" "iperf3 -P$TCP_STREAMS"
}

# ------------------------------------------------------------------ HTTP
measure_http() { # TOKEN
  local tok=$1 label conf jpid r out cb ca tt=0 tq=0 rsum=0 p50s=0 p99s=0 rps reqs p50 p99 errs terr=0 code sc sreq why
  label=$(label_of "$tok"); conf="$RAW/http-$label.yaml"
  why=$(unavailable "$tok"); [ -n "$why" ] && { na_row http "$label" unavailable "n/a (unavailable: $why)"; return 0; }
  ringway_http_yaml "$tok" "$BACKEND_PORT" > "$conf"
  ringway_system "$label" "$conf" http
  gate "http $label"
  why=$(busy_port "$proxy_port" "$WARM_PORT" "$BACKEND_PORT")
  [ -n "$why" ] && { na_row http "$label" failed "n/a (port $why taken by another process; set PORT_BASE)"; return 0; }
  start_backend 1 "$BE_CPU"
  log "http $label: starting Ringway (JIT warm-up on :$WARM_PORT, up to ${WARM_BUDGET:-25} s)"
  start_cmd_proxy "ringway_$label" "$PX_CPU"
  jpid=$(jvm_pid)
  code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://127.0.0.1:$proxy_port$HTTP_PATH" || true)
  [ "$code" = 200 ] || log "http $label: sanity request answered $code (expected 200)"
  for r in $(seq 1 "$REPS"); do
    out="$RAW/http-$label-r$r.wrk"
    cb=$(cpu_ticks $PROXY_ACCT_PIDS)
    $(pin "$CL_CPU") timeout -k 5 $((SECS + 30)) wrk -t"$THREADS" -c"$CONNS" -d"${SECS}s" --latency "http://127.0.0.1:$proxy_port$HTTP_PATH" > "$out" 2>&1 || true
    ca=$(cpu_ticks $PROXY_ACCT_PIDS)
    read -r rps reqs p50 p99 errs < <(parse_wrk "$out")
    rps=${rps:-0}; reqs=${reqs:-0}
    tt=$((tt + ca - cb)); tq=$((tq + reqs)); terr=$((terr + ${errs:-0}))
    rsum=$(awk -v a="$rsum" -v b="$rps" 'BEGIN{print a + b}')
    p50s=$(awk -v a="$p50s" -v b="$p50" 'BEGIN{print a + b}'); p99s=$(awk -v a="$p99s" -v b="$p99" 'BEGIN{print a + b}')
    run_row http "$label" "$r" "$SECS" "$rps" req/s "$reqs" "$(awk -v t=$((ca - cb)) -v h="$CLK_TCK" 'BEGIN{printf "%.2f", t/h}')" "$p50" "$p99" "${errs:-0}"
  done
  out="$RAW/http-$label-strace.wrk"
  strace_start "$RAW/http-$label.strace" "$jpid"
  $(pin "$CL_CPU") timeout -k 5 $((STRACE_SECS + 30)) wrk -t"$THREADS" -c"$CONNS" -d"${STRACE_SECS}s" "http://127.0.0.1:$proxy_port$HTTP_PATH" > "$out" 2>&1 || true
  strace_stop
  sreq=$(parse_wrk "$out" | awk '{print $2+0}'); sc=$(strace_total "$RAW/http-$label.strace")
  local alive=ok note="wrk -t$THREADS -c$CONNS GET $HTTP_PATH"; kill -0 "$jpid" 2>/dev/null || alive="failed"
  [ "$terr" -gt 0 ] && note+="; $terr errors"
  stop_all; save_log "ringway_$label" "http-$label"
  row http "$label" "$alive" "$(awk -v s="$rsum" -v n="$REPS" 'BEGIN{printf "%.0f", s/n}')" req/s \
    "$(awk -v s="$p50s" -v n="$REPS" 'BEGIN{printf "%.3f", s/n}')" "$(awk -v s="$p99s" -v n="$REPS" 'BEGIN{printf "%.3f", s/n}')" \
    "wrk, $CONNS conns, loaded" "$(awk -v t="$tt" -v h="$CLK_TCK" 'BEGIN{printf "%.2f", t/h}')" "$tq" \
    "$(awk -v t="$tt" -v h="$CLK_TCK" -v q="$tq" 'BEGIN{ if (q>0) printf "%.3f", t/h/(q/100000); else print "-" }')" "CPU-s/100k req" \
    "${sc:--}" "$sreq" "$(awk -v s="${sc:-0}" -v q="$sreq" 'BEGIN{ if (q>0 && s>0) printf "%.3f", s/q; else print "-" }')" "/req" - \
    "$(strace_top "$RAW/http-$label.strace" "$sreq" 4)" "$note"
}

# ------------------------------------------------------------------ TUN
# probe_bridge IDX TRANSPORT: start one bridge on a transport the bridge may refuse; sets PROBE_REFUSAL to the
# reason if it exits, empty if it came up (then it is stopped again)
probe_bridge() {
  local i=$1 t=$2 nsA keys privA pubA pubB pid k log="$RAW/tun-$2-probe.log"
  nsA=$(eval echo "\$P${i}_nsA"); PROBE_REFUSAL=""
  keys=$(keygen 2); read -r privA pubA <<< "$(sed -n 1p <<< "$keys")"; pubB=$(sed -n 2p <<< "$keys" | cut -d' ' -f2)
  ( umask 077; echo "$privA" > "$KEY_DIR/$t-probe.key" )
  bridge_conf "$RAW/tun-$t-probe.yaml" "$t" "rwbt${i}p${sfx}" "10.$i.0.1" "192.168.$i.1" "$KEY_DIR/$t-probe.key" "$pubB" "192.168.$i.2" "10.$i.0.2"
  pid=$(start_bridge "$nsA" A "$RAW/tun-$t-probe.yaml" "$log"); MY_PIDS+=("$pid")
  for k in $(seq 1 300); do
    kill -0 "$pid" 2>/dev/null || break
    grep -q 'ready in' "$log" 2>/dev/null && break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    grep -q 'ready in' "$log" || PROBE_REFUSAL="did not come up within 30 s"
    kill -TERM "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true
  else
    wait "$pid" 2>/dev/null || true
    PROBE_REFUSAL=$(sed -n 's/^ringway: cannot start: //p' "$log" | head -1 | sed 's/^tun-bridge: //; s/;.*//; s/ (.*//' | cut -c1-200)
    [ -n "$PROBE_REFUSAL" ] || PROBE_REFUSAL="exited at start: $(grep -m1 -iE 'error|exception' "$log" | cut -c1-160)"
  fi
}

measure_tun_all() {
  local tok t i=177 tun_list="" why srv r out cb ca kb ka bytes bps tb=0 tt=0 gsum=0 ping p50 p99 sc sb spk kb2 ka2
  KEY_DIR=$(mktemp -d /tmp/trbench-keys.XXXXXX)
  gate "tun set-up"
  for tok in $TRANSPORTS; do
    t=${tok%%+*}
    [ "$t" != "$tok" ] && { na_row tun "$(label_of "$tok")" skipped "n/a (transport variants are not applied to the TUN bridge)"; continue; }
    why=$(unavailable "$t"); [ -n "$why" ] && { na_row tun "$t" unavailable "n/a (unavailable: $why)"; continue; }
    make_pair "$i"
    case $t in
      io_uring|epoll) ;;
      *) probe_bridge "$i" "$t"
         if [ -n "$PROBE_REFUSAL" ]; then
           log "tun $t: refused: $PROBE_REFUSAL"
           na_row tun "$t" refused "n/a (refused: $PROBE_REFUSAL)"; i=$((i + 1)); continue
         fi ;;
    esac
    srv=$(start_iperf_server "$(eval echo "\$P${i}_nsB")"); MY_PIDS+=("$srv")
    setup_tunnel "$i" "$t"
    tun_list+=" $t"; i=$((i + 1))
  done
  for t in $tun_list; do
    path_vars "$t"                                   # NS_A DST PIDS IFACES
    gate "tun $t"
    iperf_client "$NS_A" "$DST" "$TUN_WARM_SECS" 2 "$RAW/tun-$t-warmup.iperf.json"
    log "tun $t warm-up: $(jq -r '(.end.sum_received.bits_per_second // 0)/1e9 | tostring + " Gbit/s"' "$RAW/tun-$t-warmup.iperf.json" 2>/dev/null || echo failed)"
    tb=0; tt=0; gsum=0
    for r in $(seq 1 "$REPS"); do
      out="$RAW/tun-$t-r$r.iperf.json"
      # shellcheck disable=SC2086
      cb=$(cpu_ticks $PIDS)
      iperf_client "$NS_A" "$DST" "$SECS" "$TUN_STREAMS" "$out"
      # shellcheck disable=SC2086
      ca=$(cpu_ticks $PIDS)
      bps=$(jq -r '.end.sum_received.bits_per_second // 0' "$out" 2>/dev/null || echo 0)
      bytes=$(jq -r '.end.sum_received.bytes // 0' "$out" 2>/dev/null || echo 0)
      tb=$((tb + ${bytes%.*})); tt=$((tt + ca - cb)); gsum=$(awk -v a="$gsum" -v b="$bps" 'BEGIN{print a + b/1e9}')
      run_row tun "$t" "$r" "$SECS" "$(awk -v b="$bps" 'BEGIN{printf "%.3f", b/1e9}')" Gbit/s "$bytes" "$(awk -v x=$((ca - cb)) -v h="$CLK_TCK" 'BEGIN{printf "%.2f", x/h}')" - - -
    done
    ping="$RAW/tun-$t.ping"
    timeout -k 5 "$(awk -v n="$PING_COUNT" -v i="$PING_INTERVAL" 'BEGIN{printf "%d", n*i + 30}')" \
      ip netns exec "$NS_A" ping -n -c "$PING_COUNT" -i "$PING_INTERVAL" -W 2 "$DST" > "$ping" 2>&1 || true
    sed -n 's/.* time=\([0-9.]*\) ms.*/\1/p' "$ping" > "$ping.ms"
    p50=$(pctl 0.50 "$ping.ms"); p99=$(pctl 0.99 "$ping.ms")
    out="$RAW/tun-$t-strace.iperf.json"
    # shellcheck disable=SC2086
    kb2=$(pkts $IFACES); strace_start "$RAW/tun-$t.strace" $PIDS
    iperf_client "$NS_A" "$DST" "$STRACE_SECS" "$TUN_STREAMS" "$out"
    strace_stop
    # shellcheck disable=SC2086
    ka2=$(pkts $IFACES)
    sb=$(jq -r '.end.sum_received.bytes // 0' "$out" 2>/dev/null || echo 0); sc=$(strace_total "$RAW/tun-$t.strace")
    spk=$((ka2 - kb2))
    local alive=ok p; for p in $PIDS; do kill -0 "$p" 2>/dev/null || alive=failed; done
    row tun "$t" "$alive" "$(awk -v g="$gsum" -v n="$REPS" 'BEGIN{printf "%.3f", g/n}')" Gbit/s "$p50" "$p99" \
      "ping ${PING_COUNT}x, unloaded ($(grep -c ' time=' "$ping" || true) replies)" "$(awk -v x="$tt" -v h="$CLK_TCK" 'BEGIN{printf "%.2f", x/h}')" "$tb" \
      "$(awk -v x="$tt" -v h="$CLK_TCK" -v b="$tb" 'BEGIN{ if (b>0) printf "%.2f", x/h/(b/1e9); else print "-" }')" "CPU-s/GB" \
      "${sc:--}" "$sb" "$(awk -v s="${sc:-0}" -v b="$sb" 'BEGIN{ if (b>0 && s>0) printf "%.2f", s/(b/1048576); else print "-" }')" "/MB" \
      "$(awk -v s="${sc:-0}" -v k="$spk" 'BEGIN{ if (k>0 && s>0) printf "%.3f", s/k; else print "-" }')" \
      "$(strace_top "$RAW/tun-$t.strace" "$(awk -v b="$sb" 'BEGIN{print b/1048576}')" 4)" "iperf3 -P$TUN_STREAMS, 2 bridges"
  done
  for t in $tun_list; do for r in a b; do cp "$RAW/$t-$r.log" "$RAW/tun-$t-$r.log" 2>/dev/null || true; done; done
}

# ------------------------------------------------------------------ report
report() {
  local md=$RES_DIR/transports.md c tok order=""
  for c in tcp http tun; do for tok in $TRANSPORTS; do order+=" $c:$(label_of "$tok")"; done; done
  {
    echo "# Ringway transport comparison ($(date -u +%F), $(sed -n 's/^cpu: //p' "$RES_DIR/machine.txt"), kernel $(uname -r))"
    echo
    echo "One jar ($(basename "$jar"), sha256 $(sha256sum "$jar" | cut -c1-16)), one event loop per Ringway; means of $REPS clean run(s) of ${SECS} s;"
    echo "syscalls from a separate ${STRACE_SECS} s window under \`strace -c -f\` (not used for anything else)."
    case " $COMPONENTS " in *" tcp "*) echo "TCP: iperf3 -P$TCP_STREAMS through tcp-proxy (PIN=$PIN); p99 = ${RTT_SIZE}-byte round trips on one connection, unloaded." ;; esac
    case " $COMPONENTS " in *" http "*) echo "HTTP: wrk -t$THREADS -c$CONNS GET $HTTP_PATH (100 B body) through http-router to nginx (PIN=$PIN); p99 = wrk's, loaded." ;; esac
    case " $COMPONENTS " in *" tun "*) echo "TUN: iperf3 -P$TUN_STREAMS across the tunnel between two namespaces (TUN_PIN=$TUN_PIN); p99 = ping RTT, unloaded; CPU and syscalls of both bridges." ;; esac
    echo
    echo "| component | transport | throughput | p99 latency | CPU per unit of work | syscalls per unit (strace) | top syscalls per unit |"
    echo "|---|---|---|---|---|---|---|"
    awk -F'\t' -v order="$order" '
      function ms(v) { return (v < 1 ? sprintf("%.3f ms", v) : v < 10 ? sprintf("%.2f ms", v) : sprintf("%.1f ms", v)) }
      function line(    c, thr, lat, cpu, sc, top) {
        c = ($1=="tcp" ? "TCP proxy" : $1=="http" ? "HTTP router" : $1=="tun" ? "TUN bridge" : $1)
        if ($4=="-") return sprintf("| %s | %s | %s | — | — | — | |", c, $2, $19)
        thr = ($5=="req/s" ? sprintf("%.0f req/s", $4) : sprintf("%s %s", $4, $5))
        if ($3!="ok") thr = thr " (" $3 ")"
        lat = ($7=="-" ? "—" : ms($7))
        cpu = ($11=="-" ? "—" : $11 " " $12)
        sc  = ($15=="-" ? "—" : $15 " " $16)
        if ($17!="-" && $17!="") sc = sc " (" $17 " /pkt)"
        top = $18; gsub(/,/, ", ", top)
        return sprintf("| %s | %s | %s | %s | %s | %s | %s |", c, $2, thr, lat, cpu, sc, top) }
      NR>1 { k=$1 ":" $2; out[k]=line(); if (!(k in seen)) { seen[k]=1; rest[++n]=k } }
      END { m=split(order, o, " "); for (i=1;i<=m;i++) if (o[i] in out) { print out[o[i]]; done[o[i]]=1 }
            for (i=1;i<=n;i++) if (!(rest[i] in done)) print out[rest[i]] }' "$TSV"
    echo
    echo "Raw: transports.tsv (every column), runs.tsv (every clean run), raw/ (iperf3 JSON, wrk, strace -c, ping, RTT, logs)."
  } > "$md"
  # plot: HTTP req/s and syscalls per request, per transport
  awk -F'\t' 'NR>1 && $1=="http" && $4!="-" { printf "%s\t%s\t%s\n", $2, $4, ($15=="-" ? 0 : $15) }' "$TSV" > "$RES_DIR/http-plot.dat"
  if [ -s "$RES_DIR/http-plot.dat" ]; then
    gnuplot -e "datafile='$RES_DIR/http-plot.dat'; outfile='$RES_DIR/transports.png'; subtitle='$(basename "$RES_DIR"): wrk -t$THREADS -c$CONNS GET $HTTP_PATH, ${SECS} s x $REPS; syscalls: strace -c -f, separate ${STRACE_SECS} s window'" \
      "$bench_dir/plot-transports.gp" 2> "$RAW/gnuplot.err" || log "gnuplot failed: $(head -3 "$RAW/gnuplot.err")"
  fi
  cat "$md"
}

# ------------------------------------------------------------------ run
describe_machine "$RES_DIR/machine.txt"
{ echo "command: bench/transports.sh '$COMPONENTS' TRANSPORTS='$TRANSPORTS' REPS=$REPS SECS=$SECS STRACE_SECS=$STRACE_SECS PIN=$PIN TCP_STREAMS=$TCP_STREAMS RTT_COUNT=$RTT_COUNT RTT_SIZE=$RTT_SIZE CONNS=$CONNS THREADS=$THREADS TUN_STREAMS=$TUN_STREAMS TUN_PIN=$TUN_PIN PING_COUNT=$PING_COUNT WARM_BUDGET=${WARM_BUDGET:-25}"
  echo "transports here: $(tr '\n' ';' <<< "$TRANSPORT_INFO")"
  echo "tools: $(strace -V | head -1); $(iperf3 --version | head -1); $(wrk --version 2>&1 | head -1 | cut -c1-40); $(gnuplot --version)"; } >> "$RES_DIR/machine.txt"
start_load_sampler
trap cleanup EXIT          # start_load_sampler set its own EXIT trap; ours also stops the sampler
started=$SECONDS
case " $COMPONENTS " in *" tcp "*)
  mkdir -p "$RUN_DIR/rtt"
  "$JAVA_HOME/bin/javac" -d "$RUN_DIR/rtt" "$bench_dir/TcpRtt.java"
  for tok in $TRANSPORTS; do measure_tcp "$tok"; done
  log "tcp done at $((SECONDS - started)) s" ;;
esac
case " $COMPONENTS " in *" http "*)
  for tok in $TRANSPORTS; do measure_http "$tok"; done
  log "http done at $((SECONDS - started)) s" ;;
esac
case " $COMPONENTS " in *" tun "*)
  measure_tun_all
  tun_teardown; MY_PIDS=(); NAMESPACES=()
  log "tun done at $((SECONDS - started)) s" ;;
esac
echo "load_after: $(cat /proc/loadavg)" >> "$RES_DIR/machine.txt"
echo "wall: $((SECONDS - started)) s" >> "$RES_DIR/machine.txt"
report
echo "results: $RES_DIR (wall $((SECONDS - started)) s)" >&2
