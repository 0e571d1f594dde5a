#!/usr/bin/env bash
# Memory per idle client connection (issue 17): N connections that connected and sent nothing, held open against
# one HTTP listener of Ringway, HAProxy and nginx in the same run, each started fresh for each N.
#
# usage: bench/idle-conns.sh            (N = 10000 then 100000)
# env:   COUNTS          connection counts (default "10000 100000")
#                        (Ringway's listener gets maxConnections: the largest count + 1,000, as HAProxy's maxconn;
#                        under 'auto', half the fd limit, 10,000 stalled at ~9,950 with 20,000 descriptors)
#        SYSTEMS         default "ringway haproxy nginx"; "ringway_before" too measures RINGWAY_BEFORE_JAR;
#                        "ringway_unparked" the same jar with idleParkAfter: 0 (keep-alive connections never park);
#                        "ringway_bytes" the same jar with byteLevelHttp1: true and a route forwarding to an nginx
#                        backend of its own (the byte-level path takes forwarded GETs only; the backend's memory is
#                        not counted, the upstream connections Ringway keeps are)
#        PARK_AFTER      Ringway's idleParkAfter (default 1s; the clients' last request is 3 s old when counted)
#        RINGWAY_JAR     the jar (default modules/ringway-launcher/target/ringway.jar)
#        JAVA_OPTS       Ringway's JVM options (default "-Xms64m -Xmx2g @conf/jvm.options": the shipped collector, ZGC,
#                        whose references are 8 bytes where G1's compressed ones are 4); NMT summary is always on
#        REQUEST         1: each client sends one keep-alive GET and reads its answer before it is counted (idle
#                        keep-alive connections); default 0: connected, nothing sent
#        SOURCES         source addresses 127.0.0.2.. the clients spread over (default 8: ~28k ports each)
#        TRANSPORT       Ringway's transport (default io_uring; epoll is where seccomp refuses io_uring)
#        TLS             1: every listener terminates TLS 1.3 with a fresh ECDSA P-256 certificate (as bench/http-tls.sh)
#                        and each client completes a handshake (and its GET with REQUEST=1) before it is counted; Ringway
#                        runs BoringSSL, and "ringway_jdk" in SYSTEMS the same with the JDK's engine. BoringSSL's memory
#                        is malloc'd outside NMT: under TLS, Ringway's heap is pre-touched (JAVA_OPTS default -Xms1g
#                        -Xmx1g -XX:+AlwaysPreTouch), so its RSS grows by native memory only, and that growth is its
#                        'native' column (the collector's bookkeeping included)
#        RES_DIR         results (default bench/results/idle-<UTC timestamp>)
#
# Per system and N it reports the RSS delta per connection (the server's processes, /proc/PID/status VmRSS, after
# minus before the connections; nginx: master + worker) and, for Ringway, the live heap delta per connection (the
# total of `jcmd GC.class_histogram`, which runs a full GC first) and the native delta outside the Java heap (NMT
# summary, committed, by category): 'native' is every category but the heap, the collector's own bookkeeping ('GC',
# which follows the heap's committed size, reported beside as 'collector'), and what the JIT, class loading and new
# threads commit meanwhile (Code, Compiler, Arena Chunk, Class, Metaspace, Symbol, Thread, Native Memory Tracking):
# none of those is per connection, and together they moved the old total-minus-heap figure by +-1 KB per connection
# from run to run. With REQUEST=1 a last column takes the upstream connections the requests opened out of the live
# heap (shared by all clients, sized by how many requests overlapped): what each idle client connection holds itself.
# Histograms and NMT summaries are saved beside.
# Before each baseline, 2,000 connections are opened and closed (classes loaded, pools grown once), for every
# system alike. Timeouts are 600 s everywhere, so no idle connection is closed while it is counted.
# 100000 needs a hard RLIMIT_NOFILE above 101,000 (or CAP_SYS_RESOURCE to raise it). Takes ~1 min per system and N. Runs under flock /tmp/ringway-bench.lock; raises the fd limits it needs
# (root); cleans up its processes on exit.
set -euo pipefail
if [ -z "${IDLE_BENCH_LOCKED:-}" ]; then
  IDLE_BENCH_LOCKED=1 exec flock /tmp/ringway-bench.lock "$0" "$@"
fi
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
. "$root/.ci/find-jdk"
COUNTS=${COUNTS:-"10000 100000"}
SYSTEMS=${SYSTEMS:-"ringway haproxy nginx"}
TLS=${TLS:-0}
if [ "$TLS" = 1 ]; then
  JAVA_OPTS=${JAVA_OPTS:-"-Xms1g -Xmx1g -XX:+AlwaysPreTouch @$root/conf/jvm.options"}
else
  JAVA_OPTS=${JAVA_OPTS:-"-Xms64m -Xmx2g @$root/conf/jvm.options"}
fi
REQUEST=${REQUEST:-0}
PARK_AFTER=${PARK_AFTER:-1s}
mode=""; [ "$REQUEST" = 1 ] && mode=request
[ "$TLS" = 1 ] && mode=${mode:+$mode+}tls
SOURCES=${SOURCES:-8}
jar=$(readlink -f "${RINGWAY_JAR:-$root/modules/ringway-launcher/target/ringway.jar}")
port=18190
RES_DIR=${RES_DIR:-$here/results/idle-$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$RES_DIR"; RES_DIR=$(cd "$RES_DIR" && pwd)
run="$RES_DIR/run"; mkdir -p "$run"
if [ "$TLS" = 1 ]; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj /CN=bench.test \
    -addext subjectAltName=DNS:bench.test,IP:127.0.0.1 -keyout "$run/key.pem" -out "$run/cert.pem" 2>/dev/null
  cat "$run/cert.pem" "$run/key.pem" > "$run/combined.pem"   # HAProxy wants both in one file
fi
max_count=$(echo $COUNTS | tr ' ' '\n' | sort -n | tail -1)
# One process holds one fd per connection (the server's side, the clients' side): raising the hard limit needs
# CAP_SYS_RESOURCE, which a container may lack (then the largest N is the hard limit minus ~1,000).
need_fds=$((max_count + 1000))
if [ "$(ulimit -Hn)" != unlimited ] && [ "$(ulimit -Hn)" -lt "$need_fds" ]; then
  ulimit -Hn "$need_fds" 2>/dev/null || {
    echo "idle-conns: $max_count connections need $need_fds fds per process; the hard limit is $(ulimit -Hn) and cannot be raised here (no CAP_SYS_RESOURCE): lower COUNTS" >&2
    exit 2; }
fi
ulimit -n "$(ulimit -Hn)"
# HAProxy reserves two fds per connection (client and server side) even for a frontend that answers itself, and
# refuses to start when its ulimit-n cannot cover that: it needs 2 N + ~1,000.
if [[ " $SYSTEMS " == *" haproxy "* ]]; then
  need_fds=$((max_count * 2 + 2100))
  if [ "$(ulimit -Hn)" != unlimited ] && [ "$(ulimit -Hn)" -lt "$need_fds" ]; then
    echo "idle-conns: HAProxy needs $need_fds fds for $max_count connections; the hard limit is $(ulimit -Hn): lower COUNTS (here at most $(( ($(ulimit -Hn) - 2100) / 2 )))" >&2
    exit 2
  fi
fi

server_pid=""; client_pid=""
cleanup() {
  [ -n "$client_pid" ] && kill "$client_pid" 2>/dev/null || true
  [ -n "$backend_pid" ] && { kill "$backend_pid" 2>/dev/null; wait "$backend_pid" 2>/dev/null; } || true
  [ -n "$server_pid" ] && { kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null; } || true
  client_pid=""; server_pid=""
}
trap cleanup EXIT

{
  echo "date_utc: $(date -u +%FT%TZ)"
  echo "cpu: $(lscpu | sed -n 's/^Model name: *//p' | head -1) ($(nproc) cpus; flags: $(grep -o -w -E 'avx2|avx512f|aes' /proc/cpuinfo | sort -u | tr '\n' ' '))"
  echo "kernel: $(uname -r)"
  echo "jdk: $("$JAVA_HOME/bin/java" -version 2>&1 | head -1)"
  echo "jar: $jar (sha256 $(sha256sum "$jar" | cut -c1-16)); before: ${RINGWAY_BEFORE_JAR:-none}"
  echo "mode: ${mode:-connect} (REQUEST=$REQUEST), Ringway's idleParkAfter: $PARK_AFTER, transport: ${TRANSPORT:-io_uring}"
  echo "java_opts: $JAVA_OPTS -XX:NativeMemoryTracking=summary"
  echo "haproxy: $(haproxy -v 2>/dev/null | head -1)"
  echo "nginx: $(nginx -v 2>&1)"
  echo "load_before: $(cat /proc/loadavg)"
} > "$RES_DIR/machine.txt"

backend_port=18191
# ringway_yaml [IDLE_PARK_AFTER] [bytes] [TLS_ENGINE]: without the first, no such key (a jar from before idleParkAfter
# refuses it); with "bytes", the byte-level path on and the route forwarding to the backend on $backend_port; with an
# engine, TLS 1.3 on the listener
ringway_yaml() {
  local tls=""
  [ -n "${3:-}" ] && tls=", tls: {certFile: $run/cert.pem, keyFile: $run/key.pem, protocols: [TLSv1.3], engine: $3}"
  local clusters=""
  [ -n "${2:-}" ] && clusters="clusters: [{name: backend, endpoints: [{host: 127.0.0.1, port: $backend_port}]}]"
  cat <<YAML
transport: ${TRANSPORT:-io_uring}
eventLoops: 1
verticles: [http-router]
$clusters
http:
  listeners:
    - {name: idle, host: 127.0.0.1, port: $port, headerReadTimeout: 600s, idleTimeout: 600s, maxConnections: $((max_count + 1000))${1:+, idleParkAfter: $1}${2:+, byteLevelHttp1: true}$tls}
  routes:
YAML
  if [ -n "${2:-}" ]; then
    echo '    - {name: ok, target: backend}'
  else
    echo '    - {name: ok, directResponse: {status: 200, body: "ok"}}'
  fi
}

# The backend ringway_bytes forwards to: nginx answering "ok", its own process (not counted).
backend_pid=""
start_backend() {
  cat > "$run/backend.conf" <<CONF
worker_processes 1;
pid $run/backend.pid;
error_log $run/backend-error.log;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_timeout 600s;
  keepalive_requests 1000000;
  server { listen 127.0.0.1:$backend_port; location / { return 200 ok; } }
}
CONF
  nginx -c "$run/backend.conf" -g 'daemon off;' > "$run/backend.log" 2>&1 &
  backend_pid=$!
  for _ in $(seq 1 100); do ss -ltn "sport = :$backend_port" | grep -q LISTEN && return 0; sleep 0.1; done
  echo "idle-conns: the backend does not listen on $backend_port" >&2; exit 1
}

haproxy_cfg() {
  cat <<CFG
global
  maxconn $((max_count + 1000))
  ulimit-n $need_fds
  nbthread 1
defaults
  mode http
  maxconn $((max_count + 1000))
  timeout client 600s
  timeout http-request 600s
  timeout connect 5s
  timeout server 5s
frontend idle
  bind 127.0.0.1:$port$([ "$TLS" = 1 ] && echo " ssl crt $run/combined.pem alpn http/1.1 ssl-min-ver TLSv1.3")
  http-request return status 200 content-type text/plain string ok
CFG
}

nginx_conf() {
  cat <<CONF
worker_processes 1;
worker_rlimit_nofile $need_fds;
pid $run/nginx.pid;
error_log $run/nginx-error.log;
events { worker_connections $((max_count + 1000)); }
http {
  access_log off;
  client_header_timeout 600s;
  keepalive_timeout 600s;
  server {
    listen 127.0.0.1:$port$([ "$TLS" = 1 ] && echo " ssl");
$([ "$TLS" = 1 ] && printf '    ssl_certificate %s;\n    ssl_certificate_key %s;\n    ssl_protocols TLSv1.3;\n' "$run/cert.pem" "$run/key.pem")
    location / { return 200 ok; }
  }
}
CONF
}

# start SYSTEM -> sets server_pid, waits for the port
start() {
  case $1 in
    ringway|ringway_before|ringway_unparked|ringway_bytes|ringway_jdk)
      local j=$jar; [ "$1" = ringway_before ] && j=$(readlink -f "${RINGWAY_BEFORE_JAR:?ringway_before needs RINGWAY_BEFORE_JAR}")
      local park=$PARK_AFTER; [ "$1" = ringway_unparked ] && park=0s; [ "$1" = ringway_before ] && park=""
      local bytes=""; [ "$1" = ringway_bytes ] && bytes=1
      local engine=""; [ "$TLS" = 1 ] && engine=openssl; [ "$1" = ringway_jdk ] && engine=${engine:+jdk}
      [ "$1" = ringway_jdk ] && [ -z "$engine" ] && { echo "idle-conns: ringway_jdk needs TLS=1" >&2; exit 2; }
      if [ -n "$bytes" ] && [ -z "$backend_pid" ]; then start_backend; fi
      ringway_yaml "$park" "$bytes" "$engine" > "$run/ringway.yaml"
      "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED $JAVA_OPTS -XX:NativeMemoryTracking=summary \
        -jar "$j" --conf "$run/ringway.yaml" > "$run/$1.log" 2>&1 &
      server_pid=$! ;;
    haproxy)
      haproxy_cfg > "$run/haproxy.cfg"
      haproxy -db -f "$run/haproxy.cfg" > "$run/haproxy.log" 2>&1 &
      server_pid=$! ;;
    nginx)
      nginx_conf > "$run/nginx.conf"
      nginx -c "$run/nginx.conf" -g 'daemon off;' > "$run/nginx.log" 2>&1 &
      server_pid=$! ;;
  esac
  for _ in $(seq 1 300); do
    ss -ltn "sport = :$port" | grep -q LISTEN && return 0
    kill -0 "$server_pid" 2>/dev/null || { echo "idle-conns: $1 died; see $run" >&2; exit 1; }
    sleep 0.1
  done
  echo "idle-conns: $1 does not listen on $port" >&2; exit 1
}

pids() { echo "$server_pid $(pgrep -P "$server_pid" | tr '\n' ' ')"; }
rss_kb() { local t=0 p; for p in $(pids); do t=$((t + $(awk '/^VmRSS/{print $2}' /proc/$p/status 2>/dev/null || echo 0))); done; echo $t; }
fds() { local t=0 p; for p in $(pids); do t=$((t + $(ls /proc/$p/fd 2>/dev/null | wc -l))); done; echo $t; }
# live heap after a full GC (bytes) into $1's histogram file
heap_bytes() { jcmd "$server_pid" GC.class_histogram > "$1" 2>&1; awk '/^Total/{print $3}' "$1"; }
# native committed per connection's worth of categories, and the collector's (KB each, "NATIVE GC"), into $1's NMT file
native_kb() {
  jcmd "$server_pid" VM.native_memory summary > "$1" 2>&1
  awk '/^-/ && /committed=/ {
      name = $0; sub(/^- */, "", name); sub(/ *\(reserved.*/, "", name)
      match($0, /committed=[0-9]+KB/); kb = substr($0, RSTART + 10, RLENGTH - 12)
      if (name == "GC") gc = kb
      else if (name !~ /^(Java Heap|Code|Compiler|Arena Chunk|Class|Metaspace|Symbol|Thread|Native Memory Tracking|Shared class space)$/) n += kb
    } END { print n + 0, gc + 0 }' "$1"
}

# heap_without_pool BEFORE AFTER N: live heap growth per client connection without the upstream connections the
# requests opened (a pool the clients share, sized by how many requests overlapped, not by how many clients idle):
# the classes that grew by one instance per socket channel (clients and upstream ones) are split per channel, and
# the pooled ones' part, with the byte-level path's ByteUpstream, taken out.
heap_without_pool() {
  awk -v n="$3" 'NR==FNR && /^ *[0-9]+:/{bc[$4]=$2; bb[$4]=$3; next} /^ *[0-9]+:/{
      dc[$4]=$2-bc[$4]; db[$4]=$3-bb[$4]; total+=$3-bb[$4] }
    END {
      for (k in dc) if (k ~ /\.(IoUring|Epoll|Nio)SocketChannel$/) ch += dc[k]
      pooled = ch - n
      for (k in dc) if (db[k] > 0 && dc[k] - ch <= 40 && ch - dc[k] <= 40) perch += db[k]
      share = (ch > 0 ? pooled * perch / ch : 0) + db["io.ringway.http.impl.ByteUpstream"]
      printf "%d\n", (total - share) / n }' "$1" "$2"
}

# clients N -> sets client_pid once N connections are established (fifo on its stdin holds them)
clients() {
  rm -f "$run/clients.in"; mkfifo "$run/clients.in"
  python3 "$here/idle_clients.py" 127.0.0.1 "$port" "$1" "$SOURCES" ${2:-} < "$run/clients.in" > "$run/clients.out" 2> "$run/clients.err" &
  client_pid=$!
  exec 7> "$run/clients.in"
  for _ in $(seq 1 3000); do
    grep -q "^connected" "$run/clients.out" 2>/dev/null && return 0
    kill -0 "$client_pid" 2>/dev/null || { echo "idle-conns: clients failed: $(cat "$run/clients.err")" >&2; exit 1; }
    sleep 0.1
  done
  echo "idle-conns: $1 clients did not connect in 300 s" >&2; exit 1
}
release_clients() { exec 7>&-; wait "$client_pid" 2>/dev/null || true; client_pid=""; }

# await_fds TARGET OP(ge|le): the server's fd count reaches TARGET (it accepted / closed them), at most 180 s
await_fds() {
  for _ in $(seq 1 1800); do
    local n; n=$(fds)
    if { [ "$2" = ge ] && [ "$n" -ge "$1" ]; } || { [ "$2" = le ] && [ "$n" -le "$1" ]; }; then return 0; fi
    sleep 0.1
  done
  echo "idle-conns: server fds $(fds), wanted $2 $1" >&2; return 1
}

table="$RES_DIR/idle.tsv"
printf 'system\tconnections\trss_bytes_per_conn\theap_bytes_per_conn\tnative_bytes_per_conn\theap_plus_native_per_conn\tcollector_bytes_per_conn\theap_bytes_per_client_without_pool\n' > "$table"
for n in $COUNTS; do
  for sys in $SYSTEMS; do
    echo "idle-conns: $sys, $n connections" >&2
    start "$sys"
    sleep 2
    fd0=$(fds)
    clients 2000 $mode; await_fds $((fd0 + 2000)) ge; release_clients; await_fds $((fd0 + 2)) le || true
    sleep 2
    fd0=$(fds); rss0=$(rss_kb); heap0=""; native0=(0 0)
    if [[ $sys == ringway* ]]; then heap0=$(heap_bytes "$RES_DIR/$sys-$n-histogram-before.txt"); read -ra native0 <<< "$(native_kb "$RES_DIR/$sys-$n-nmt-before.txt")"; fi
    start_s=$(date +%s.%N)
    clients "$n" $mode; await_fds $((fd0 + n)) ge
    echo "idle-conns: $sys accepted $n in $(echo "$(date +%s.%N) - $start_s" | bc | cut -c1-5) s" >&2
    sleep 3
    rss1=$(rss_kb); heap=-; native=-; total=-; collector=-; client=-
    if [[ $sys == ringway* ]]; then
      heap1=$(heap_bytes "$RES_DIR/$sys-$n-histogram-after.txt"); read -ra native1 <<< "$(native_kb "$RES_DIR/$sys-$n-nmt-after.txt")"
      heap=$(( (heap1 - heap0) / n )); native=$(( (native1[0] - native0[0]) * 1024 / n ))
      # Under TLS the heap is pre-touched: the RSS grows by native memory only, BoringSSL's malloc included.
      [ "$TLS" = 1 ] && native=$(( (rss1 - rss0) * 1024 / n ))
      total=$((heap + native))
      collector=$(( (native1[1] - native0[1]) * 1024 / n ))
      # the classes that grew most, for the record
      awk 'NR==FNR && /^ *[0-9]+:/{b[$4]=$3; next} /^ *[0-9]+:/{d=$3-b[$4]; if (d>0) printf "%12d %s\n", d, $4}' \
        "$RES_DIR/$sys-$n-histogram-before.txt" "$RES_DIR/$sys-$n-histogram-after.txt" | sort -rn | head -20 \
        > "$RES_DIR/$sys-$n-histogram-growth.txt"
      [ "$REQUEST" = 1 ] && client=$(heap_without_pool "$RES_DIR/$sys-$n-histogram-before.txt" "$RES_DIR/$sys-$n-histogram-after.txt" "$n")
    fi
    rss=$(( (rss1 - rss0) * 1024 / n ))
    printf '%s\t%d\t%d\t%s\t%s\t%s\t%s\t%s\n' "$sys" "$n" "$rss" "$heap" "$native" "$total" "$collector" "$client" | tee -a "$table" >&2
    release_clients
    kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=""
    sleep 2
  done
done
echo "load_after: $(cat /proc/loadavg)" >> "$RES_DIR/machine.txt"
# ratios to HAProxy's RSS per connection at the same N
{
  printf '| system | connections | RSS / conn (B) | heap / conn (B) | native / conn (B) | heap+native / conn (B) | collector / conn (B) | heap / client conn without the upstream pool (B) | RSS vs HAProxy | heap+native vs HAProxy RSS |\n|---|---|---|---|---|---|---|---|---|---|\n'
  awk -F'\t' 'NR==FNR{if (FNR>1 && $1=="haproxy") h[$2]=$3; next} FNR>1{
    r1 = (h[$2] > 0) ? sprintf("%.2fx", $3 / h[$2]) : "-"
    r2 = (h[$2] > 0 && $6 != "-") ? sprintf("%.2fx", $6 / h[$2]) : "-"
    printf "| %s | %d | %d | %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, $7, $8, r1, r2}' "$table" "$table"
} > "$RES_DIR/idle.md"
cat "$RES_DIR/machine.txt" "$RES_DIR/idle.md"
echo "results: $RES_DIR" >&2
