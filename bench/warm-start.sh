#!/usr/bin/env bash
# Starts Ringway for the peers' harness with a warmed-up JIT: the harness measures as soon as the proxy's
# port opens, and HAProxy/nginx need no warm-up while a JVM does. So Ringway first starts with its bench
# listener on WARM_PORT and gets rounds of every load there (iperf3 -P1/-P4 for tcp; wrk -c16 Connection: close
# for tcpchurn; wrk -c16 small, 4k, echo4k, close for http; the load generator on another cpu than the proxy when the harness pinned us) until a round
# leaves the JIT compilers idle or WARM_BUDGET is spent, then the config file is swapped for the real one
# (bench listener on the harness port) and Ringway's file watcher applies it as a hot reload. The harness
# then sees the port open and measures a warm JVM. When the harness pinned us, the JVM is sized for the pinned
# cpus (-XX:ActiveProcessorCount) but may use every cpu to start and warm up, and all its threads are put back
# on the pinned cpus before the swap, so the measured phase runs exactly as pinned. This script stays as Ringway's parent (the harness
# accounts the parent and its children: this bash adds ~0 CPU and no syscalls while it waits) and passes
# TERM on to Ringway.
#
# usage: warm-start.sh tcp|tcpchurn|http|https CONFIG_FILE JAVA_CMD...
# env: WARM_SECS (default 2 per load per round), WARM_BUDGET (25: seconds from start), WARM_PORT (18091), PROXY_BENCH_PORT (18090), IPERF_PORT (15201)
set -u
kind=$1 conf=$2; shift 2
warm_port=${WARM_PORT:-18091}
bench_port=${PROXY_BENCH_PORT:-18090}
secs=${WARM_SECS:-2}
budget=${WARM_BUDGET:-25}
live="${conf%.yaml}.live.yaml"
sed "s/port: $bench_port\b/port: $warm_port/" "$conf" > "$live"
all_cpus="0-$(( $(nproc --all) - 1 ))"
mine=$(taskset -pc $$ | sed 's/.*: //')
jvm_cpus=""
if [ "$mine" != "$all_cpus" ] && [ "$(nproc --all)" -gt 1 ]; then
  # Pinned by the harness. The JVM sizes itself for exactly those cpus (ActiveProcessorCount: GC choice and
  # threads, JIT compiler threads, as if started pinned) but may use every cpu while it starts and warms up;
  # all its threads go back onto the harness's cpus before the harness can measure.
  jvm_cpus=$mine
  n=$(taskset -c "$mine" nproc)
  taskset -p -c "$all_cpus" $$ > /dev/null
  set -- "$1" -XX:ActiveProcessorCount="$n" "${@:2}"
fi
"$@" --conf "$live" &
jpid=$!
stop() {
  [ -n "${jit_warm:-}" ] && echo "warm-start: JIT cpu while measured (after warm-up, up to stop): $(( ($(jit_ticks) - jit_warm) * 1000 / hz )) ms" >&2
  kill -TERM "$jpid" 2>/dev/null; wait "$jpid"; exit 0
}
trap stop TERM INT

for _ in $(seq 1 400); do   # up to ~20 s for the JVM to listen
  (exec 3<>"/dev/tcp/127.0.0.1/$warm_port") 2>/dev/null && break
  kill -0 "$jpid" 2>/dev/null || { echo "warm-start: ringway exited at start" >&2; exit 1; }
  sleep 0.05
done

# the load generator goes on a cpu the proxy is not pinned to
client_cpu=""
if [ -n "$jvm_cpus" ]; then
  case $jvm_cpus in 0) client_cpu=1 ;; *) client_cpu=0 ;; esac
fi
gen() { if [ -n "$client_cpu" ]; then taskset -c "$client_cpu" "$@"; else "$@"; fi; }
jit_ticks() { # utime+stime of the JVM's compiler threads
  local t sum=0
  for t in /proc/"$jpid"/task/*; do
    case $(cat "$t/comm" 2>/dev/null) in C1\ Compiler*|C2\ Compiler*) sum=$((sum + $(awk '{print $14+$15}' "$t/stat"))) ;; esac
  done
  echo "$sum"
}
post=$(mktemp); printf 'wrk.method="POST"\nwrk.body=string.rep("a",4096)\n' > "$post"
one_round() {
  case $kind in
    tcp)
      gen iperf3 -c 127.0.0.1 -p "$warm_port" -t "$secs" -P 1 > /dev/null 2>&1
      gen iperf3 -c 127.0.0.1 -p "$warm_port" -t "$secs" -P 4 > /dev/null 2>&1 ;;
    tcpchurn)   # bench/tcp.sh churn: a new proxied connection per request, to the harness's nginx backend
      gen wrk -t1 -c16 -d"${secs}s" -H 'Connection: close' "http://127.0.0.1:$warm_port/" > /dev/null 2>&1 ;;
    http)
      # a light load (-t1 -c16): the paths get hot all the same and C2 keeps more of the cpus
      gen wrk -t1 -c16 -d"${secs}s" "http://127.0.0.1:$warm_port/" > /dev/null 2>&1
      gen wrk -t1 -c16 -d"${secs}s" "http://127.0.0.1:$warm_port/4k" > /dev/null 2>&1
      gen wrk -t1 -c16 -d"${secs}s" -s "$post" "http://127.0.0.1:$warm_port/echo" > /dev/null 2>&1
      gen wrk -t1 -c16 -d"${secs}s" -H 'Connection: close' "http://127.0.0.1:$warm_port/" > /dev/null 2>&1 ;;
    https)      # bench/http-tls.sh: keep-alive requests and a full handshake per request
      gen wrk -t1 -c16 -d"${secs}s" "https://127.0.0.1:$warm_port/" > /dev/null 2>&1
      gen wrk -t1 -c16 -d"${secs}s" -H 'Connection: close' "https://127.0.0.1:$warm_port/" > /dev/null 2>&1 ;;
  esac
}
# Rounds of every load until a round leaves the JIT compilers (almost) idle, or the budget is spent: the
# harness gives a command ~30 s from start to open its port.
hz=$(getconf CLK_TCK)
case $kind in tcp|https) loads=2 ;; tcpchurn) loads=1 ;; *) loads=4 ;; esac
jit0=$(jit_ticks); round=0
echo "warm-start: warming $kind on :$warm_port, ${secs}s per load per round, until the JIT is idle or ${budget}s (client cpu ${client_cpu:-any})" >&2
while :; do
  round=$((round + 1)); a=$(jit_ticks); t=$SECONDS; one_round; b=$(jit_ticks)
  echo "warm-start: round $round at ${SECONDS}s: JIT cpu this round $(( (b - a) * 1000 / hz )) ms" >&2
  [ $((b - a)) -le $((hz / 10)) ] && break
  if [ $((SECONDS + (SECONDS - t > loads * secs ? SECONDS - t : loads * secs))) -gt "$budget" ]; then
    # not enough time left for a full round: one more with 1 s per load if that fits, else stop
    if [ "$secs" -gt 1 ] && [ $((SECONDS + (SECONDS - t) / secs + 1)) -le "$budget" ]; then secs=1; continue; fi
    echo "warm-start: budget spent, JIT still busy" >&2; break
  fi
done
jit_warm=$(jit_ticks)
echo "warm-start: JIT cpu during warm-up $(( (jit_warm - jit0) * 1000 / hz )) ms over $round rounds, ${SECONDS}s from start" >&2
rm -f "$post"
if [ -n "$jvm_cpus" ]; then
  taskset -a -p -c "$jvm_cpus" "$jpid" > /dev/null   # every JVM thread back on the harness's cpus
  taskset -p -c "$jvm_cpus" $$ > /dev/null
fi

# hot reload onto the bench port (the same config otherwise). Pinned, the event loop is pinned by Ringway itself
# (eventLoops.affinity, applied by this reload; /info lists the loop's cpus) to the harness's cpu; the taskset above
# keeps the JVM's other threads (GC, JIT) on that cpu too, so the JVM has the one core HAProxy's thread has.
if [ -n "$jvm_cpus" ]; then
  sed "s/^eventLoops: 1\b.*/eventLoops: {count: 1, affinity: \"$jvm_cpus\"}/" "$conf" > "$live.tmp"
else
  cp "$conf" "$live.tmp"
fi
mv "$live.tmp" "$live"
echo "warm-start: warmed; config swapped to :$bench_port${jvm_cpus:+, event loop pinned to cpu $jvm_cpus by eventLoops.affinity}" >&2
wait "$jpid"
