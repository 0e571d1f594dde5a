#!/usr/bin/env bash
# L3 tunnel benchmark (issue 6, issue 18): iperf3 across Ringway's tun-bridge between two network namespaces: the
# io_uring and epoll paths with offloads (tun.offloads auto: TUN super-packets, UDP GSO/GRO) and without (-off), the
# io_uring path with TUN offloads only (io_uring-tun), wireguard-go (the distribution's userspace WireGuard) as the
# peer, all in the same run, plus the plain veth underlay (no tunnel) as the physical limit.
#
# Paths (PATHS): veth | TRANSPORT[-OFFLOADS] with TRANSPORT io_uring|epoll and OFFLOADS auto (default)|tun|off |
# wireguard-go; a tunnel path may also name a cipher and a multi-queue device: TRANSPORT[-OFFLOADS][-aes|-chacha][-mq2]
# (io_uring-aes, io_uring-chacha-mq2: eventLoops 2, one TUN queue and UDP socket per loop; path_settings in tun-lib.sh);
# any tunnel path ending in -before runs on BEFORE_JAR (an older build) instead, measured interleaved with the rest.
# Each tunnel path has its own namespace pair; all are up for the whole run and measured interleaved.
#
# Set-up: two namespace pairs (A,B) made here, each joined by its own veth pair (the UDP underlay
# 192.168.177.0/24 resp. 192.168.178.0/24); in every namespace one Ringway (ringway.jar, `verticles: [tun-bridge]`,
# `eventLoops: 1`) with its own TUN device (10.177.0.1/2 resp. 10.178.0.1/2). One pair's bridges run on io_uring, the
# other's on epoll; both are up for the whole run so the paths are measured interleaved (rep by rep) and see the same
# machine load. The veth path is iperf3 over the io_uring pair's underlay, bridges idle. iperf3 server in B, client
# in A (A -> B data, B -> A ACKs).
#
# Reported per path and stream count: Gbit/s (iperf3 receiver), bridge CPU-seconds per GB (utime+stime ticks of both
# bridge JVMs from /proc, all threads, over the client's run), Gbit per bridge CPU-second, machine busy cores, and
# syscalls per packet from an extra, shorter run with `perf stat` on the syscall tracepoints of both bridge pids
# (as ../shared/bench does). "Packet" = one packet handled by one bridge: the delta of tx+rx packets of both TUN
# devices (a packet crossing the tunnel is handled twice, once read from a TUN and once written to the other).
#
# usage: bench/tun.sh [STREAMS="1 4"] [REPS=2]
# env:   SECS (10) iperf3 -t of the measured runs; PERF_SECS (5) of the perf run (0: none); WARM_SECS (8) warm-up per
#        bridge pair (JIT, handshake); PATHS ("veth io_uring epoll"); PIN (unpinned | split: namespace A's processes
#        on cpu0, B's on cpu1); JAVA_OPTS (-Xms256m -Xmx256m); TUN_MTU (1420); TUN_READ_SLOTS / TUN_WRITE_SLOTS
#        (the bridge's defaults); RINGWAY_JAR (default /tmp/tunbench/ringway.jar if present, else the tree's; it
#        must contain io/ringway/tun); RES_DIR; STOP_AT (UTC HH:MM: start no new measurement after it);
#        WAIT_MAX (1800): seconds to wait for others' benchmarks at one gate before giving up.
# Before every heavy step (JVM start, warm-up, each measured run) the script waits while others' benchmarks run
# (pgrep -f "$OTHERS"), and marks a run `overlap=1` if one started meanwhile.
# needs: root, iproute2, iperf3, perf, jq, bc, taskset, a JDK >= 21 (.ci/find-jdk). Nothing here builds the tree.
# Results: $RES_DIR/tun.tsv (one row per run), summary.md (the table), machine.txt, load.txt, raw/ (iperf3 JSON,
# perf output, bridge logs, configs). Namespaces and interfaces are deleted on exit, whatever happened.
# The namespace, key and bridge helpers live in bench/tun-lib.sh (shared with bench/transports.sh).
set -euo pipefail
bench_dir=$(cd "$(dirname "$0")" && pwd)
if [ -z "${RINGWAY_JAR:-}" ] && [ -f /tmp/tunbench/ringway.jar ]; then export RINGWAY_JAR=/tmp/tunbench/ringway.jar; fi
STREAMS=${1:-"1 4"}
REPS=${2:-2}
SECS=${SECS:-10}; PERF_SECS=${PERF_SECS:-5}; WARM_SECS=${WARM_SECS:-8}
PATHS=${PATHS:-"veth io_uring io_uring-tun io_uring-off epoll epoll-off wireguard-go"}
# the bridges run the admin API on their namespace's loopback: their own inner-packet counters (segments counted)
export TUN_ADMIN=1
PIN=${PIN:-unpinned}
TUN_MTU=${TUN_MTU:-1420}
WAIT_MAX=${WAIT_MAX:-1800}
STOP_AT=${STOP_AT:-}
OTHERS=${OTHERS:-'tcp_bench.sh|http_bench.sh|wrk |iperf3 -c 127.0.0.1'}
export RES_DIR=${RES_DIR:-$bench_dir/results/tun-$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$RES_DIR/raw"; RES_DIR=$(cd "$RES_DIR" && pwd)
. "$bench_dir/common.sh"           # JDK, $jar, tools, tracefs, describe_machine, start_load_sampler, RUN_DIR
. "$shared/lib.sh"                 # cpu_ticks, sys_busy_ticks, CLK_TCK, log
command -v iperf3 >/dev/null || { echo "bench: iperf3 missing (apt-get install -y iperf3)" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "bench: needs root (network namespaces, TUN)" >&2; exit 2; }
unzip -l "$jar" 2>/dev/null | grep 'io/ringway/tun/TunBridgeVerticle.class' >/dev/null \
  || { echo "bench: $jar has no io/ringway/tun classes (tun-bridge); rebuild the launcher or set RINGWAY_JAR" >&2; exit 2; }
RAW=$RES_DIR/raw
TSV=$RES_DIR/tun.tsv
printf 'ts\tpath\tstreams\trep\tperf\tsecs\tgbit_s\tbytes\tretrans\tbridge_cpu_s\tbridge_cores\tcpu_s_per_GB\tgbit_per_cpu_s\tmachine_busy_cores\tpackets\tsyscalls\tsyscalls_per_pkt\ttop_syscalls_per_pkt\toverlap\tbridge_user_s\tbridge_sys_s\tpkts_per_syscall\n' > "$TSV"

sfx=$(printf '%05x' $(( ($$ ^ RANDOM) & 0xfffff )))
IPERF_PORT_TUN=15301
SC_EVENTS="raw_syscalls:sys_enter"
for s in read write readv writev recvfrom sendto recvmsg sendmsg recvmmsg sendmmsg epoll_wait epoll_pwait epoll_pwait2 \
         epoll_ctl io_uring_enter futex ioctl; do
  [ -d "/sys/kernel/tracing/events/syscalls/sys_enter_$s" ] && SC_EVENTS+=",syscalls:sys_enter_$s"
done

# ------------------------------------------------------------------ clean-up (trap on EXIT, also on failure)
. "$bench_dir/tun-lib.sh"          # namespaces, keys, bridges, iperf3 in namespaces, others/wait_turn; MY_PIDS, NAMESPACES
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  tun_teardown
  [ -n "${sampler_pid:-}" ] && kill "$sampler_pid" 2>/dev/null || true
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

past_stop() { [ -n "$STOP_AT" ] && [ "$(( 10#$(date -u +%H%M) ))" -ge "$(( 10#${STOP_AT/:/} ))" ]; }

# one_run PATH STREAMS REP PERF(0|1)
one_run() {
  local path=$1 P=$2 rep=$3 perf=$4 secs=$SECS
  [ "$perf" = 1 ] && secs=$PERF_SECS
  path_vars "$path"
  local tag="${path}_P${P}_r${rep}_p${perf}" out pout perfpid="" ub ua cb ca mb ma kb ka t0 t1 overlap=0
  out="$RAW/$tag.iperf.json"; pout="$RAW/$tag.perf"
  wait_turn "$tag" || return 1
  # shellcheck disable=SC2086
  ub=$( [ -n "$PIDS" ] && user_ticks $PIDS || echo 0 )
  cb=$( [ -n "$PIDS" ] && cpu_ticks $PIDS || echo 0 ); mb=$(sys_busy_ticks); kb=$(inner_pkts "$path"); t0=$(date +%s.%N)
  if [ "$perf" = 1 ] && [ -n "$PIDS" ]; then
    perf stat -x, -e "$SC_EVENTS" -p "$(echo $PIDS | tr ' ' ,)" -o "$pout" & perfpid=$!; MY_PIDS+=("$perfpid"); sleep 0.5
  fi
  iperf_client "$NS_A" "$DST" "$secs" "$P" "$out"
  t1=$(date +%s.%N)
  if [ -n "$perfpid" ]; then kill -INT "$perfpid" 2>/dev/null; wait "$perfpid" 2>/dev/null || true; fi
  # shellcheck disable=SC2086
  ua=$( [ -n "$PIDS" ] && user_ticks $PIDS || echo 0 )
  ca=$( [ -n "$PIDS" ] && cpu_ticks $PIDS || echo 0 ); ma=$(sys_busy_ticks); ka=$(inner_pkts "$path")
  [ -n "$(others)" ] && overlap=1
  local bps bytes retr err
  bps=$(jq -r '.end.sum_received.bits_per_second // 0' "$out" 2>/dev/null || echo 0)
  bytes=$(jq -r '.end.sum_received.bytes // 0' "$out" 2>/dev/null || echo 0)
  retr=$(jq -r '.end.sum_sent.retransmits // 0' "$out" 2>/dev/null || echo 0)
  err=$(jq -r '.error // empty' "$out" 2>/dev/null || echo "unparsable $out")
  [ -n "$err" ] && log "$tag: iperf3: $err"
  local sc="-" scpp="-" top="-" pk=$((ka - kb)) ppsc="-"
  if [ -n "$perfpid" ] && [ -s "$pout" ]; then
    sc=$(awk -F, '$3=="raw_syscalls:sys_enter"{print $1}' "$pout")
    scpp=$(awk -v s="$sc" -v k="$pk" 'BEGIN{ if (k>0) printf "%.3f", s/k; else print "-" }')
    ppsc=$(awk -v s="$sc" -v k="$pk" 'BEGIN{ if (s>0) printf "%.2f", k/s; else print "-" }')
    top=$(awk -F, -v k="$pk" '$3 ~ /^syscalls:sys_enter_/ && $1+0>0 && k>0 {n=$3; sub(/syscalls:sys_enter_/,"",n); printf "%s %s=%.3f\n", $1, n, $1/k}' "$pout" \
          | sort -rn | head -5 | awk '{printf "%s%s", (NR>1?",":""), $2}')
    [ -n "$top" ] || top="-"
  fi
  local have_cpu=0; [ -n "$PIDS" ] && have_cpu=1
  awk -v OFS='\t' -v ts="$(date -u +%FT%TZ)" -v path="$path" -v P="$P" -v rep="$rep" -v perf="$perf" -v secs="$secs" \
      -v bps="$bps" -v bytes="$bytes" -v retr="$retr" -v ct=$((ca - cb)) -v mt=$((ma - mb)) -v hz="$CLK_TCK" -v hc="$have_cpu" \
      -v el="$(echo "$t1 - $t0" | bc)" -v pk="$pk" -v sc="$sc" -v scpp="$scpp" -v top="$top" -v ov="$overlap" -v ut=$((ua - ub)) -v ppsc="$ppsc" \
      'BEGIN{ cs = ct/hz
              print ts, path, P, rep, perf, secs, sprintf("%.3f", bps/1e9), bytes, retr,
                    (hc ? sprintf("%.2f", cs) : "-"), (hc ? sprintf("%.2f", cs/el) : "-"),
                    (hc && bytes>0 ? sprintf("%.2f", cs/(bytes/1e9)) : "-"),
                    (hc && cs>0 ? sprintf("%.3f", bytes*8/1e9/cs) : "-"),
                    sprintf("%.2f", mt/hz/el), pk, sc, scpp, top, ov,
                    (hc ? sprintf("%.2f", ut/hz) : "-"), (hc ? sprintf("%.2f", (ct-ut)/hz) : "-"), ppsc }' | tee -a "$TSV" >&2
}

# ------------------------------------------------------------------ run
describe_machine "$RES_DIR/machine.txt"
{ echo "note: RINGWAY_WARMUP/WARM_BUDGET above do not apply to tun.sh; its warm-up is WARM_SECS of iperf3 through each tunnel"
  echo "command: STREAMS='$STREAMS' REPS=$REPS SECS=$SECS PERF_SECS=$PERF_SECS WARM_SECS=$WARM_SECS PATHS='$PATHS' PIN=$PIN TUN_MTU=$TUN_MTU readSlots=${TUN_READ_SLOTS:-default} writeSlots=${TUN_WRITE_SLOTS:-default}"
  echo "iperf3: $(iperf3 --version | head -1)"; echo "perf: $(perf --version)"; } >> "$RES_DIR/machine.txt"
start_load_sampler
trap cleanup EXIT          # start_load_sampler set its own EXIT trap; ours also stops the sampler
mkdir -p "$RUN_DIR/tun"
KEY_DIR=$(mktemp -d /tmp/tunbench-keys.XXXXXX)   # throwaway private keys, removed on exit

# pair 177 always (the veth path runs over its underlay), the io_uring path's; then one pair per further path
make_pair 177
SRV177=$(start_iperf_server "$P177_nsB"); MY_PIDS+=("$SRV177")
next_pair=178
for path in $PATHS; do
  [ "$path" = veth ] && continue
  idx=177
  if [ "$path" != io_uring ]; then
    idx=$next_pair; next_pair=$((next_pair + 1))
    make_pair "$idx"
    srv=$(start_iperf_server "$(eval echo "\$P${idx}_nsB")"); MY_PIDS+=("$srv")
  fi
  if [ "$path" = wireguard-go ]; then setup_wireguard "$idx"; else setup_tunnel "$idx" "$path"; fi
done
# warm-up (not recorded): JIT and the first handshake; also shows the tunnel carries traffic
for path in $PATHS; do
  [ "$path" = veth ] && continue
  path_vars "$path"
  wait_turn "warm-up $path" || exit 3
  iperf_client "$NS_A" "$DST" "$WARM_SECS" 2 "$RAW/warmup_$path.iperf.json"
  log "warm-up $path: $(jq -r '(.end.sum_received.bits_per_second // 0)/1e9 | tostring + " Gbit/s"' "$RAW/warmup_$path.iperf.json" 2>/dev/null || echo failed)"
done

stopped=""
for P in $STREAMS; do
  [ -n "$stopped" ] && break
  for rep in $(seq 1 "$REPS"); do
    order=$PATHS; [ $((rep % 2)) = 0 ] && order=$(echo "$PATHS" | tr ' ' '\n' | tac | tr '\n' ' ')
    for path in $order; do
      past_stop && { stopped="STOP_AT $STOP_AT reached"; break 3; }
      one_run "$path" "$P" "$rep" 0 || { stopped="gave up waiting"; break 3; }
      sleep 0.5
    done
  done
  if [ "$PERF_SECS" != 0 ]; then
    for path in $PATHS; do
      [ "$path" = veth ] && continue
      past_stop && { stopped="STOP_AT $STOP_AT reached"; break 2; }
      one_run "$path" "$P" 1 1 || { stopped="gave up waiting"; break 2; }
      sleep 0.5
    done
  fi
done
[ -n "$stopped" ] && log "stopped early: $stopped"
echo "load_after: $(cat /proc/loadavg)" >> "$RES_DIR/machine.txt"
# bridges' own view: check nothing was dropped for a reason that would spoil the numbers
for t in $PATHS; do
  for side in a b; do
    [ -f "$RAW/$t-$side.log" ] && grep -iE 'error|exception|drop' "$RAW/$t-$side.log" | head -5 | sed "s/^/$t-$side.log: /" >&2 || true
  done
done

# ------------------------------------------------------------------ summary: means over the clean runs
{
  echo "# TUN bridge benchmark ($(date -u +%F), $(sed -n 's/^cpu: //p' "$RES_DIR/machine.txt"), kernel $(uname -r))"
  echo
  echo "iperf3 -t $SECS, A -> B across two network namespaces; means of $REPS run(s) per cell; syscalls from one perf run of ${PERF_SECS} s; PIN=$PIN."
  [ -n "$stopped" ] && echo "Stopped early: $stopped."
  echo
  echo "| path | streams | Gbit/s | share of veth | bridge CPU-s per GB | Gbit per bridge CPU-s | x wireguard-go per CPU-s | bridge cores | bridge user share | machine busy cores | packets per syscall | syscalls per packet | top syscalls per packet | retrans | runs (overlap) |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
  awk -F'\t' -v means="$RES_DIR/means.tsv" 'NR>1 { k=$2 "\t" $3
      if (!(k in seen)) { seen[k]=1; keys[++nk]=k }
      if ($5==0) { n[k]++; g[k]+=$7; r[k]+=$9; mb[k]+=$14; ov[k]+=$19; by[k]+=$8
                   if ($10!="-") { cpu[k]+=$10; core[k]+=$11; usr[k]+=$20; hc[k]=1 } }
      else { sp[k]=$17; top[k]=$18; pp[k]=$22 } }
    END { print "path\tstreams\tgbit_s\tshare_of_veth\tgbit_per_cpu_s\tx_wireguard_go\tpkts_per_syscall" > means
          for (i=1;i<=nk;i++) { k=keys[i]; split(k, a, "\t"); if (!n[k]) continue
            gb = by[k]/1e9; gs[k] = g[k]/n[k]; pc[k] = (hc[k] && cpu[k]>0 ? gb*8/cpu[k] : 0) }
          for (i=1;i<=nk;i++) { k=keys[i]; split(k, a, "\t"); if (!n[k]) continue
            gb = by[k]/1e9; v = "veth\t" a[2]; w = "wireguard-go\t" a[2]
            share = (gs[v]>0 ? sprintf("%.1f%%", 100*gs[k]/gs[v]) : "-")
            xw = (pc[w]>0 && pc[k]>0 ? sprintf("%.2fx", pc[k]/pc[w]) : "-")
            printf "| %s | %s | %.3f | %s | %s | %s | %s | %s | %s | %.2f | %s | %s | %s | %d | %d (%d) |\n", a[1], a[2], gs[k], share,
              (hc[k] && gb>0 ? sprintf("%.1f", cpu[k]/gb) : "-"), (pc[k]>0 ? sprintf("%.3f", pc[k]) : "-"), xw,
              (hc[k] ? sprintf("%.2f", core[k]/n[k]) : "-"), (hc[k] && cpu[k]>0 ? sprintf("%.0f%%", 100*usr[k]/cpu[k]) : "-"), mb[k]/n[k],
              (k in pp ? pp[k] : "-"), (k in sp ? sp[k] : "-"), (k in top ? top[k] : "-"), r[k]/n[k], n[k], ov[k]
            printf "%s\t%s\t%.3f\t%.4f\t%.4f\t%.3f\t%s\n", a[1], a[2], gs[k], (gs[v]>0 ? gs[k]/gs[v] : 0), pc[k],
              (pc[w]>0 ? pc[k]/pc[w] : 0), (k in pp ? pp[k] : "-") >> means } }' "$TSV"
  echo
  # issue 18's targets, same run: "today's" io_uring path is the one without offloads (io_uring-off)
  awk -F'\t' 'NR>1 { k=$1 "\t" $2; g[k]=$3; sh[k]=$4; pc[k]=$5; pp[k]=$7; s[$2]=1 }
    END { for (P in s) {
            u="io_uring\t" P; o="io_uring-off\t" P; w="wireguard-go\t" P; e="epoll\t" P
            if (pc[u]>0 && pc[o]>0) printf "- %s stream(s): io_uring with / without offloads, Gbit per bridge CPU-s = %.3f / %.3f = **%.2fx** (target >= 4x: %s)\n", P, pc[u], pc[o], pc[u]/pc[o], (pc[u]/pc[o]>=4 ? "met" : "not met")
            if (pc[u]>0 && pc[w]>0) printf "- %s stream(s): io_uring / wireguard-go, Gbit per CPU-s = %.3f / %.3f = **%.2fx** (target >= 3x: %s)\n", P, pc[u], pc[w], pc[u]/pc[w], (pc[u]/pc[w]>=3 ? "met" : "not met")
            if (sh[u]>0) printf "- %s stream(s): io_uring Gbit/s = **%.1f%%** of veth (target >= 25%%: %s)\n", P, 100*sh[u], (sh[u]>=0.25 ? "met" : "not met")
            if (pc[u]>0 && pc[e]>0) printf "- %s stream(s): io_uring / epoll, Gbit per CPU-s = %.3f / %.3f = **%.2fx** (target >= 1.2x: %s), io_uring packets per syscall %s (target >= 8: %s)\n", P, pc[u], pc[e], pc[u]/pc[e], (pc[u]/pc[e]>=1.2 ? "met" : "not met"), pp[u], (pp[u]+0>=8 ? "met" : "not met")
          } }' "$RES_DIR/means.tsv" | sort
  # issue 18: each path's Gbit per bridge CPU-second against the first tunnel path's, same run
  awk -F'\t' 'NR>1 && $5==0 && $10!="-" { k=$2 "\t" $3; c[k]+=$10; b[k]+=$8; s[$3]=1; if ($2!="veth" && !($2 in seen)) { seen[$2]=1; p[++np]=$2 } }
    END { for (P in s) { r0=""; for (i=1;i<=np;i++) { k=p[i] "\t" P; if (c[k]>0) { r=b[k]*8/1e9/c[k]; if (r0=="") { r0=r; base=p[i] }
            else printf "- %s stream(s): %s/%s Gbit per bridge CPU-second = %.3f / %.3f = **%.2fx**\n", P, p[i], base, r, r0, r/r0 } } } }' "$TSV" | sort
  echo
  # the plot's data (bench/plot-tun.gp): one row per tunnel path, 1 and 4 streams side by side
  awk -F'\t' 'NR>1 { if (!($1 in seen)) { seen[$1]=1; order[++n]=$1 } pc[$1,$2]=$5; g[$1,$2]=$3; sh[$1,$2]=$4 }
    END { print "path\tgbit_per_cpu_s_1\tgbit_per_cpu_s_4\tgbit_s_1\tgbit_s_4\tshare_of_veth_1_pct"
          for (i=1;i<=n;i++) { p=order[i]; if (p=="veth") continue
            printf "%s\t%.4f\t%.4f\t%.3f\t%.3f\t%.1f\n", p, pc[p,1], pc[p,4], g[p,1], g[p,4], 100*sh[p,1] } }' \
    "$RES_DIR/means.tsv" > "$RES_DIR/plot.dat" 2>/dev/null
  command -v gnuplot >/dev/null && gnuplot -e "datafile='$RES_DIR/plot.dat'; outfile='$RES_DIR/tun-offloads.png'; subtitle='$(sed -n 's/^cpu: //p' "$RES_DIR/machine.txt" | cut -c1-60), $(date -u +%F)'" \
    "$bench_dir/plot-tun.gp" 2>/dev/null && echo "Plot: $RES_DIR/tun-offloads.png"
  echo "Raw: $TSV; machine: $RES_DIR/machine.txt; load during the run: $RES_DIR/load.txt"
} > "$RES_DIR/summary.md"
cat "$RES_DIR/summary.md"
echo "results: $RES_DIR" >&2
