# Helpers for bench/startup.sh, gc.sh, fell-behind.sh and overlimit.sh (one Ringway JVM at a time against the
# harness's nginx backend, pinned like bench/http.sh: the load and the backend on cpu0, Ringway on cpu1, one event
# loop). Source it after common.sh; do not run it.
# lib.sh sets RES_DIR to the harness's own results directory unless one is set: ours, as results_dir makes it
results_dir "$(basename "$0" .sh)"
. "$shared/lib.sh"

# a wrk script that prints, after wrk's own report, the percentiles wrk --latency leaves out (microseconds)
wrk_percentiles_lua() { # file
  cat > "$1" <<'LUA'
done = function(summary, latency, requests)
  for _, p in ipairs({50, 90, 99, 99.9, 99.99}) do
    io.write(string.format("percentile %g %d\n", p, latency:percentile(p)))
  end
  io.write(string.format("percentile 100 %d\n", latency.max))
end
LUA
}

# start_ringway LOG JAVA_OPTS... -> RW_PID; the JVM on cpu1 (sized for one cpu, as bench/warm-start.sh does when
# pinned), config $RUN_DIR/ringway-jvm.yaml (http-router on :$proxy_port -> the backend, io_uring, one loop; TLS on
# $RINGWAY_TLS_CERT and $RINGWAY_TLS_KEY when those are set)
start_ringway() {
  local log=$1; shift
  ringway_http_yaml io_uring "$BACKEND_PORT" > "$RUN_DIR/ringway-jvm.yaml"
  if [ -n "${RINGWAY_TLS_CERT:-}" ]; then
    sed -i "s|h2c: false|h2c: false, tls: {certificates: [{certFile: \"$RINGWAY_TLS_CERT\", keyFile: \"$RINGWAY_TLS_KEY\"}]}|" \
      "$RUN_DIR/ringway-jvm.yaml"
  fi
  launch_ringway "$RUN_DIR/ringway-jvm.yaml" "$log" "$jar" "$@"
}

# launch_ringway CONF LOG JAR JAVA_OPTS... -> RW_PID and PROXY_PID (lib.sh's stop_pid takes it): JAR on cpu1 with CONF,
# its output in LOG; not waited for (await_ready)
launch_ringway() {
  local conf=$1 log=$2 own_jar=$3; shift 3
  taskset -c 1 "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED "$@" -jar "$own_jar" --conf "$conf" > "$log" 2>&1 &
  RW_PID=$!; PROXY_PID=$RW_PID
  STARTED_PIDS+=("$RW_PID")
}

# ringway_stats FILE -> the running node's /stats (admin on 127.0.0.1:9901) as JSON in FILE; prints the requests its
# clusters refused at their limits (queueOverflows), or - without an answer
ringway_stats() {
  curl -s "http://127.0.0.1:9901/stats?format=json" > "$1" 2>/dev/null || true
  jq '[.. | objects | select(has("queueOverflows")) | .queueOverflows] | add // 0' "$1" 2>/dev/null || echo -
}

# summarise TSV NOTE HEADING... -> $RES_DIR/summary.md: TSV's rows (its first line, the column names, left out) as a
# Markdown table under HEADING..., then NOTE and the cpu; printed, and where the results are
summarise() {
  local tsv=$1 note=$2; shift 2
  {
    printf '| %s ' "$@"; echo '|'
    printf '|---%.0s' "$@"; echo '|'
    tail -n +2 "$tsv" | awk -F'\t' -v OFS=' | ' '{$1 = $1; print "| " $0 " |"}'
    echo
    echo "$note $(sed -n 's/^cpu: //p' "$RES_DIR/machine.txt")"
  } > "$RES_DIR/summary.md"
  cat "$RES_DIR/summary.md"
  echo "results: $RES_DIR"
}

# await_ready LOG -> prints the JVM's own "ready in N ms" (from JVM start), once the line is there (<= 60 s)
await_ready() {
  local i
  for i in $(seq 1 1200); do
    grep -q "ready in" "$1" && { sed -n 's/.*ready in \([0-9]*\) ms.*/\1/p' "$1" | head -1; return 0; }
    kill -0 "$RW_PID" 2>/dev/null || { echo "bench: ringway exited; see $1" >&2; return 1; }
    sleep 0.05
  done
  echo "bench: ringway not ready in 60 s; see $1" >&2; return 1
}

# proxy_cpu_ticks -> utime+stime of the Ringway JVM (all threads)
proxy_cpu_ticks() { awk '{print $14+$15}' "/proc/$RW_PID/stat"; }
