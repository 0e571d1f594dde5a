#!/usr/bin/env bash
# Peak speed from the first seconds (issue 17): time to ready and time to 95 % of warmed req/s, for Ringway started
# in each of MODES, alternating, REPS times each: `jit` (no AOT cache), `aot` (ringway.aot beside the jar, written by
# the build's training run), `warm` (the AOT cache and `warmup: {enabled: true}`: the node runs its data path hot
# before it binds its listeners, so its ready comes later). Pinned as bench/http.sh pins: wrk -t2 -c64 small GET and the nginx backend on cpu0, Ringway on
# cpu1 (one io_uring event loop). Load starts the moment the JVM logs ready, in back-to-back 1 s wrk slices for
# SLICES seconds; "warmed" is the mean of the last 5 slices of the best run of the same rep; t95 is the end of the
# first slice at >= 95 % of it; "p99 first 5 s" is the worst of the first five slices' p99 latencies.
#
# usage: bench/startup.sh [REPS=2] [SLICES=30]
# env: RINGWAY_JAR (the .aot beside it is used), JAVA_OPTS (-Xms256m -Xmx256m), MODES ("jit aot"), RES_DIR,
#      TLS=1 (the listener terminates TLS on a fresh ECDSA P-256 certificate; wrk speaks https),
#      CLOSE=1 (`Connection: close`: a new connection, and with TLS a full handshake, per request),
#      MODES entries may carry a tag, MODE+TAG, whose extra JVM flags are JAVA_OPTS_<TAG> and whose jar (its .aot
#      beside it) RINGWAY_JAR_<TAG> when set: an A/B in one run, e.g. MODES="aot aot+eager"
#      JAVA_OPTS_eager="-XX:+UnlockExperimentalVMOptions -XX:+AOTCompileEagerly",
#      or MODES="warm warm+new" RINGWAY_JAR_new=<jar>,
#      RATE=N (open loop: h2load sends N requests/s, with CLOSE=1 opens N connections/s, from ready for SLICES
#      seconds, whatever the node's speed, as clients of a node put back into service do; a closed loop never has
#      more than its 64 requests waiting, so it cannot show what a slow node answers to the rest: req/s then counts
#      2xx answers and the failed column non-2xx ones; requests never answered are in h2load's summary only,
#      raw/<mode>-r<rep>.h2load.out)
# Results: $RES_DIR/startup.tsv (one line per run), slices.tsv (per-second req/s), summary.md, raw/ (logs)
set -euo pipefail
. "$(dirname "$0")/common.sh"
. "$bench_here/jvm-lib.sh"
REPS=${1:-2}
SLICES=${2:-30}
MODES=${MODES:-jit aot}
base_jar=$jar
aot="${jar%.jar}.aot"
[ -f "$aot" ] || { echo "bench: no AOT cache at $aot (build with the launcher's package phase)" >&2; exit 2; }
mkdir -p "$RES_DIR/raw"
trap stop_all EXIT INT TERM
scheme=http; wrk_args=()
if [ "${TLS:-0}" = 1 ]; then
  tls="$RUN_DIR/startup-tls"; mkdir -p "$tls"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj /CN=bench.test \
    -addext subjectAltName=DNS:bench.test,IP:127.0.0.1 -keyout "$tls/key.pem" -out "$tls/cert.pem" 2>/dev/null
  export RINGWAY_TLS_CERT="$tls/cert.pem" RINGWAY_TLS_KEY="$tls/key.pem"; scheme=https
fi
[ "${CLOSE:-0}" = 1 ] && wrk_args=(-H "Connection: close")
if [ -n "${RATE:-}" ]; then
  command -v h2load >/dev/null || { echo "bench: RATE needs h2load (apt-get install -y nghttp2-client)" >&2; exit 2; }
  [ "${TLS:-0}" = 1 ] && { echo "bench: RATE with TLS=1 is not supported" >&2; exit 2; }
  . "$bench_here/h2load-rate.sh"
  h2load_rate_args "${CLOSE:-0}" "$RATE" 1 "$SLICES" 64
fi
describe_machine "$RES_DIR/machine.txt"
echo "command: MODES=\"$MODES\" TLS=${TLS:-0} CLOSE=${CLOSE:-0} RATE=${RATE:-} bench/startup.sh $REPS $SLICES; aot: $aot ($(stat -c '%y %s bytes' "$aot"))" >> "$RES_DIR/machine.txt"
start_backend 1 0
printf 'rep\tmode\tready_ms\tport_ms\n' > "$RES_DIR/startup.tsv"
printf 'rep\tmode\tsecond\trps\tp99_ms\tfailed\n' > "$RES_DIR/slices.tsv"
for rep in $(seq 1 "$REPS"); do
  for mode in $MODES; do
    # the flags the cache was trained with (conf/jvm.options: the collector among them), as ./ringway starts
    opts=("@$bench_root/conf/jvm.options" $JAVA_OPTS)
    jar=$base_jar
    if [[ $mode == *+* ]]; then
      extra="JAVA_OPTS_${mode#*+}" own_jar="RINGWAY_JAR_${mode#*+}"; opts+=(${!extra:-})
      [ -n "${!own_jar:-}" ] && jar=$(readlink -f "${!own_jar}")
    fi
    aot="${jar%.jar}.aot"
    [ "${mode%%+*}" = jit ] || [ -f "$aot" ] || { echo "bench: no AOT cache at $aot for $mode" >&2; exit 2; }
    case ${mode%%+*} in
      jit) ;;
      aot) opts+=("-XX:AOTCache=$aot") ;;
      warm) opts+=("-XX:AOTCache=$aot" -Dringway.warmup.enabled=true) ;;
      *) echo "bench: unknown mode $mode (jit, aot, warm)" >&2; exit 2 ;;
    esac
    log="$RES_DIR/raw/$mode-r$rep.log"
    t0=$(date +%s%N)
    start_ringway "$log" "${opts[@]}"
    ready=$(await_ready "$log")
    port_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
    if [ -n "${RATE:-}" ]; then
      # h2load's log: request start (us since the epoch), status, duration (us); binned by start
      hlog="$RES_DIR/raw/$mode-r$rep.h2load"
      taskset -c 0 h2load --h1 -t 1 --log-file "$hlog" "${rate_args[@]}" "http://127.0.0.1:$proxy_port/" > "$hlog.out" 2>&1 || true
      python3 - "$hlog" "$rep" "$mode" "$SLICES" <<'PY' >> "$RES_DIR/slices.tsv"
import sys
rows = [line.split("\t") for line in open(sys.argv[1]) if line.strip()]
t0 = min((int(r[0]) for r in rows), default=0)
n = int(sys.argv[4])
ok, bad, lat = [0] * (n + 1), [0] * (n + 1), [[] for _ in range(n + 1)]
for start, status, micros in rows:
    s = (int(start) - t0) // 1_000_000 + 1
    if s > n:
        continue
    if 200 <= int(status) < 300:
        ok[s] += 1
    else:
        bad[s] += 1
    lat[s].append(int(micros) / 1000)
for s in range(1, n + 1):
    v = sorted(lat[s])
    p99 = "%.3f" % v[max(0, -(-99 * len(v) // 100) - 1)] if v else "-"
    print(f"{sys.argv[2]}\t{sys.argv[3]}\t{s}\t{ok[s]}\t{p99}\t{bad[s]}")
PY
    fi
    for s in $( [ -n "${RATE:-}" ] || seq 1 "$SLICES"); do
      out=$(taskset -c 0 wrk -t2 -c64 -d1s --latency "${wrk_args[@]}" "$scheme://127.0.0.1:$proxy_port/" 2>&1)
      rps=$(awk '/Requests\/sec:/{print $2}' <<< "$out")
      p99=$(awk '$1 == "99%" { v = $2; f = v ~ /us$/ ? 0.001 : v ~ /ms$/ ? 1 : v ~ /s$/ ? 1000 : 1; sub(/[a-z]+$/, "", v); print v * f }' <<< "$out")
      printf '%s\t%s\t%s\t%s\t%s\t0\n' "$rep" "$mode" "$s" "${rps:-0}" "${p99:--}" >> "$RES_DIR/slices.tsv"
    done
    printf '%s\t%s\t%s\t%s\n' "$rep" "$mode" "$ready" "$port_ms" >> "$RES_DIR/startup.tsv"
    stop_pid "$RW_PID"
    grep -i "aot\]" "$log" | head -3 >&2 || true
  done
done
{
  echo "| rep | mode | ready (JVM's own, ms) | exec to ready seen (ms) | req/s 1st s | warmed req/s (last 5 s) | t95 (s after ready) | t95 of its own last 5 s | exec to t95 (s) | 5 s mean / warmed | p99 first 5 s (ms) | failed |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
  awk -F'\t' -v n="$SLICES" '
    FNR==1 {next}
    FILENAME ~ /startup[.]tsv$/ {ready[$1" "$2]=$3; port[$1" "$2]=$4; next}
    { r[$1" "$2" "$3]=$4; failed[$1" "$2]+=$6; if ($3 > n-5) last[$1" "$2]+=$4/5; reps[$1]=1; modes[$2]=1
      if ($3 <= 5) { first5[$1" "$2]+=$4/5; if ($5 != "-" && $5 + 0 > p99[$1" "$2]) p99[$1" "$2] = $5 + 0 } }
    END {
      names["jit"] = "no cache"; names["aot"] = "AOT cache"; names["warm"] = "AOT cache + warmup"
      for (mode in modes) if (!(mode in names)) { split(mode, m, "+"); names[mode] = names[m[1]] " +" m[2] }
      for (rep in reps) {
        best = 0
        for (mode in modes) if (last[rep" "mode] > best) best = last[rep" "mode]
        for (mode in modes) { k = rep" "mode; t95 = "> " n; total = "-"; own = "> " n
          for (s = 1; s <= n; s++) if (r[k" "s] >= 0.95 * best) { t95 = s; total = sprintf("%.1f", port[k] / 1000 + s); break }
          for (s = 1; s <= n; s++) if (r[k" "s] >= 0.95 * last[k]) { own = s; break }
          printf "| %s | %s | %s | %s | %.0f | %.0f | %s | %s | %s | %.2f | %.1f | %d |\n", rep, names[mode], ready[k], port[k], r[k" 1"], last[k], t95, own, total, first5[k] / best, p99[k], failed[k] }
      }
    }' "$RES_DIR/startup.tsv" "$RES_DIR/slices.tsv" | sort
  echo
  echo "warmed = the largest of the modes' last-5-slice means in that rep; t95 of its own: against the run's own" \
    "last 5 s (fair where the machine slowed down between the runs of a rep); exec to t95 = exec to ready seen + t95;" \
    "$(sed -n 's/^cpu: //p' "$RES_DIR/machine.txt")"
} > "$RES_DIR/summary.md"
cat "$RES_DIR/summary.md"
echo "results: $RES_DIR" >&2
