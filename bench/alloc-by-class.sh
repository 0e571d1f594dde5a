#!/usr/bin/env bash
# What one request allocates in Ringway, by class, exactly: the node runs on the Epsilon collector (it never collects),
# so `jcmd GC.class_histogram -all` taken before and after a measured load counts every object allocated in between
# (what the JIT's escape analysis removed is not allocated and not counted, as in production). Oops uncompressed and
# class pointers compressed, as under ZGC, so sizes are ZGC's. Sampling profilers (JFR's allocation samples) only
# rank, and their weights moved 6x between two runs here; this counts. Pinned like the other benches (proxy cpu1;
# h2load and nginx cpu0).
#
# usage: bench/alloc-by-class.sh [RATE=5000] [SECS=20]
# env: CLOSE (1: a new connection per request, the churn workload; 0: 64 keep-alive connections), BYTE_LEVEL (1),
#      RINGWAY_JAR, RINGWAY_JAR_B (a second jar: a column of its own and the difference), JAVA_OPTS_B (JVM options
#      added to the second column's run, with RINGWAY_JAR's jar when RINGWAY_JAR_B is not given), RES_DIR
# Each jar: a warm-up of SECS at RATE (the JIT), then SECS measured at RATE.
# Results: $RES_DIR/alloc-by-class.md (B/request by class, largest first), raw/ (histograms, h2load output, logs).
set -euo pipefail
. "$(dirname "$0")/common.sh"
. "$bench_here/jvm-lib.sh"
. "$bench_here/h2load-rate.sh"
RATE=${1:-5000}
SECS=${2:-20}
CLOSE=${CLOSE:-1}
BYTE_LEVEL=${BYTE_LEVEL:-1}
[ "$BYTE_LEVEL" = 1 ] && BYTE_LEVEL_io_uring=1
command -v h2load >/dev/null || { echo "bench: needs h2load (apt-get install -y nghttp2-client)" >&2; exit 2; }
results_dir alloc-by-class
mkdir -p "$RES_DIR/raw"
trap stop_all EXIT INT TERM
describe_machine "$RES_DIR/machine.txt"
echo "command: CLOSE=$CLOSE BYTE_LEVEL=$BYTE_LEVEL bench/alloc-by-class.sh $RATE $SECS" >> "$RES_DIR/machine.txt"
start_backend 1 0
ringway_http_yaml io_uring "$BACKEND_PORT" > "$RUN_DIR/ringway-alloc.yaml"
h2load_rate_args "$CLOSE" "$RATE" 2 "$SECS" 64
# ZGC's object layout: references uncompressed, class pointers compressed (JDK 25's default under ZGC too)
epsilon=(-Xms6g -Xmx6g -XX:+UnlockExperimentalVMOptions -XX:+UseEpsilonGC -XX:-UseCompressedOops)

labels=()
for label in a b; do
  own_jar=$jar own_opts=()
  if [ "$label" = b ]; then
    [ -n "${RINGWAY_JAR_B:-}${JAVA_OPTS_B:-}" ] || break
    own_jar=$(readlink -f "${RINGWAY_JAR_B:-$jar}")
    read -ra own_opts <<< "${JAVA_OPTS_B:-}"
  fi
  labels+=("$label")
  echo "$label: $own_jar ${own_opts[*]}" >> "$RES_DIR/machine.txt"
  launch_ringway "$RUN_DIR/ringway-alloc.yaml" "$RES_DIR/raw/$label.log" "$own_jar" "${epsilon[@]}" "${own_opts[@]}"
  wait_port "$proxy_port"
  load() { taskset -c 0 h2load --h1 -t 2 "${rate_args[@]}" "http://127.0.0.1:$proxy_port/" > "$RES_DIR/raw/$label.$1.h2load" 2>&1 || true; }
  load warmup
  jcmd "$RW_PID" GC.class_histogram -all > "$RES_DIR/raw/$label.before.histo"
  load measured
  jcmd "$RW_PID" GC.class_histogram -all > "$RES_DIR/raw/$label.after.histo"
  stop_pid "$RW_PID"
done

python3 - "$RES_DIR" "${labels[@]}" <<'EOF' > "$RES_DIR/alloc-by-class.md"
import re, sys
res, labels = sys.argv[1], sys.argv[2:]
def histogram(path):
    counts = {}
    for line in open(path):
        m = re.match(r'\s*\d+:\s+(\d+)\s+(\d+)\s+(\S+)', line)
        if m:  # hidden classes' addresses differ from JVM to JVM
            counts[re.sub(r'/0x[0-9a-f]+', '', m.group(3))] = (int(m.group(1)), int(m.group(2)))
    return counts
per = {}
for label in labels:
    out = open(f'{res}/raw/{label}.measured.h2load').read()
    n = int(re.search(r'status codes: (\d+) 2xx', out).group(1))
    a, b = histogram(f'{res}/raw/{label}.before.histo'), histogram(f'{res}/raw/{label}.after.histo')
    per[label] = (n, {k: ((v[1] - a.get(k, (0, 0))[1]) / n, (v[0] - a.get(k, (0, 0))[0]) / n) for k, v in b.items()})
rows = sorted(set().union(*(p[1] for p in per.values())), key=lambda k: -max(p[1].get(k, (0, 0))[0] for p in per.values()))
print('| class | ' + ' | '.join(f'{l}: B/request | {l}: objects/request' for l in labels) + (' | b - a (B) |' if len(labels) == 2 else ' |'))
print('|---|' + '---|---|' * len(labels) + ('---|' if len(labels) == 2 else ''))
print('| **total** | ' + ' | '.join(f'**{sum(v[0] for v in per[l][1].values() if v[0] > 0):.0f}** | ({per[l][0]} requests)' for l in labels)
      + (f' | **{sum(v[0] for v in per["b"][1].values() if v[0] > 0) - sum(v[0] for v in per["a"][1].values() if v[0] > 0):+.0f}** |' if len(labels) == 2 else ' |'))
for k in rows:
    vals = [per[l][1].get(k, (0, 0)) for l in labels]
    if max(v[0] for v in vals) < 8 and (len(labels) < 2 or abs(vals[1][0] - vals[0][0]) < 8):
        continue
    print(f'| `{k}` | ' + ' | '.join(f'{v[0]:.0f} | {v[1]:.2f}' for v in vals) + (f' | {vals[1][0] - vals[0][0]:+.0f} |' if len(labels) == 2 else ' |'))
EOF
head -5 "$RES_DIR/alloc-by-class.md"
echo "results: $RES_DIR/alloc-by-class.md"
