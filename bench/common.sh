# Shared set-up for bench/tcp.sh, http.sh, tun.sh and transports.sh. Source it; do not run it.
#
# env (all optional):
#   RINGWAY_JAR   the jar to benchmark (default: the tree's modules/ringway-launcher/target/ringway.jar).
#                 Copy it somewhere stable first if others rebuild the tree while you measure:
#                   cp modules/ringway-launcher/target/ringway.jar /tmp/ringway.jar; RINGWAY_JAR=/tmp/ringway.jar bench/tcp.sh
#   SHARED_BENCH  the peers' harness (default: ../shared/bench next to the repository)
#   TRANSPORTS    Ringway transports to measure, each as its own system (default: "io_uring epoll nio"). An entry
#                 TRANSPORT+TAG is a variant with transportOptions.<TRANSPORT> from env RINGWAY_OPTS_<TAG> (a YAML
#                 flow map), measured as system ringway_<TRANSPORT>_<TAG>, e.g.
#                   TRANSPORTS="io_uring io_uring+pbuf epoll" RINGWAY_OPTS_pbuf='{bufferRing: {groupId: 1, entries: 256, bufferSize: 65536}}'
#                 (default ring settings otherwise: Netty's, as Ringway ships them). A variant may instead (or also) have
#                 its own JVM options in env JAVA_OPTS_<TAG>, used in place of JAVA_OPTS, e.g.
#                   TRANSPORTS="io_uring io_uring+heap1g" JAVA_OPTS_heap1g="-Xms1g -Xmx1g @conf/jvm.options"
#                 or (HTTP) its own listener maxConnections in env MAX_CONNECTIONS_<TAG>, e.g.
#                   TRANSPORTS="io_uring io_uring+cap" MAX_CONNECTIONS_cap=256
#                 or (HTTP) its listener on the byte-level HTTP/1 path with env BYTE_LEVEL_<TAG>=1, e.g.
#                   TRANSPORTS="io_uring io_uring+bytes" BYTE_LEVEL_bytes=1
#                 (a plain transport reads MAX_CONNECTIONS_<TRANSPORT> and BYTE_LEVEL_<TRANSPORT>: BYTE_LEVEL_io_uring=1)
#                 or its own jar in env RINGWAY_JAR_<TAG>, to measure a change beside the tree before it, e.g.
#                   TRANSPORTS="io_uring io_uring+before" RINGWAY_JAR_before=/tmp/before.jar
#   JAVA_OPTS     extra JVM options (default: -Xms256m -Xmx256m and conf/jvm.options, the flags a node runs with:
#                 its collector, not the JVM's pick for one pinned cpu, which is Serial)
#   RES_DIR       results directory (default: bench/results/<kind>-<UTC timestamp>, ignored by git)
#   RUN_DIR       generated configs, logs (default: bench/run, ignored by git)
#   WAIT_FOR, WAIT_MAX  before starting, wait (at most WAIT_MAX s, 300) while processes matching WAIT_FOR run
#                 (default: bench/tun.sh's measuring iperf3 clients); WAIT_FOR= to skip
#   RINGWAY_WARMUP 1 (default): start Ringway through bench/warm-start.sh, which warms the JIT on another port
#                 and hot-reloads onto the measured one before the harness sees it; 0: measure a cold JVM
#   WARM_SECS, WARM_BUDGET  seconds per warm-up load per round (2), whole warm-up budget from start (25)
# Nothing here builds the tree: a missing jar is an error.
bench_here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
bench_root=$(dirname "$bench_here")
shared=${SHARED_BENCH:-$bench_root/../shared/bench}
[ -f "$shared/lib.sh" ] || { echo "bench: $shared/lib.sh not found (set SHARED_BENCH)" >&2; exit 2; }
. "$bench_root/.ci/find-jdk"
jar=${RINGWAY_JAR:-$bench_root/modules/ringway-launcher/target/ringway.jar}
[ -f "$jar" ] || { echo "bench: $jar not found; build it (./mvnw -B -Dmaven.test.skip=true install) or set RINGWAY_JAR" >&2; exit 2; }
jar=$(readlink -f "$jar")
TRANSPORTS=${TRANSPORTS:-"io_uring epoll nio"}
JAVA_OPTS=${JAVA_OPTS:-"-Xms256m -Xmx256m @$bench_root/conf/jvm.options"}
for tool in perf jq bc taskset; do
  command -v "$tool" >/dev/null || { echo "bench: $tool missing (apt-get install -y linux-perf jq bc util-linux)" >&2; exit 2; }
done
# perf's per-syscall tracepoints live in tracefs
[ -d /sys/kernel/tracing/events/syscalls ] || mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null || true
[ -d /sys/kernel/tracing/events/syscalls ] || echo "bench: no syscall tracepoints (mount tracefs as root); syscall counts will be empty" >&2
export RUN_DIR=${RUN_DIR:-$bench_here/run}
mkdir -p "$RUN_DIR"; RUN_DIR=$(cd "$RUN_DIR" && pwd)
proxy_port=18090   # lib.sh's default PROXY_PORT_<label>

RINGWAY_WARMUP=${RINGWAY_WARMUP:-1}

# transport_yaml TOKEN -> the config's transport lines for a TRANSPORTS entry
transport_yaml() {
  local t=${1%%+*} tag="" var
  [[ $1 == *+* ]] && tag=${1#*+}
  echo "transport: $t"
  if [ -n "$tag" ]; then
    var="RINGWAY_OPTS_$tag"
    local jvm="JAVA_OPTS_$tag" cap="MAX_CONNECTIONS_$tag" own_jar="RINGWAY_JAR_$tag" bytes="BYTE_LEVEL_$tag"
    [ -n "${!var:-}" ] || [ -n "${!jvm:-}" ] || [ -n "${!cap:-}" ] || [ -n "${!own_jar:-}" ] || [ -n "${!bytes:-}" ] \
      || { echo "bench: TRANSPORTS entry $1 needs env $var, $jvm, $cap, $own_jar or $bytes" >&2; exit 2; }
    [ -z "${!var:-}" ] || printf 'transportOptions:\n  %s: %s\n' "$t" "${!var}"
  fi
}
# label_of TOKEN -> io_uring, io_uring_pbuf, ...
label_of() { echo "${1/+/_}"; }

# ringway_tcp_yaml TOKEN UPSTREAM_PORT [RTT_PORT ECHO_PORT] -> a tcp-proxy config on one event loop: listener `bench`
# on 127.0.0.1:$proxy_port -> 127.0.0.1:UPSTREAM_PORT; with RTT_PORT and ECHO_PORT also listener `rtt` on RTT_PORT ->
# 127.0.0.1:ECHO_PORT (bench/transports.sh's round-trip latency path)
ringway_tcp_yaml() {
  cat <<YAML
$(transport_yaml "$1")
eventLoops: 1              # one loop on the one proxy core the harness pins
verticles: [tcp-proxy]
clusters:
  - name: iperf
    endpoints: [{host: 127.0.0.1, port: $2}]
    outlierDetection: false
YAML
  [ -n "${4:-}" ] && cat <<YAML
  - name: echo
    endpoints: [{host: 127.0.0.1, port: $4}]
    outlierDetection: false
YAML
  cat <<YAML
tcp:
  listeners:
    - {name: bench, host: 127.0.0.1, port: $proxy_port, cluster: iperf, idleTimeout: "0"}
YAML
  [ -n "${3:-}" ] && echo "    - {name: rtt, host: 127.0.0.1, port: $3, cluster: echo, idleTimeout: \"0\"}"
  return 0
}

# ringway_http_yaml TOKEN BACKEND_PORT [VERTICLES [CLUSTER_LIMITS]] -> an http-router config on one event loop:
# listener `bench` on 127.0.0.1:$proxy_port (HTTP/1.1 only), every request to 127.0.0.1:BACKEND_PORT; VERTICLES
# (default `http-router`; `admin, http-router` for /stats), CLUSTER_LIMITS the backend's `limits` map's entries
ringway_http_yaml() {
  # A plain transport reads them too (BYTE_LEVEL_io_uring): bench/startup.sh and bench/gc.sh start plain io_uring.
  local cap="MAX_CONNECTIONS_${1#*+}" bytes_var="BYTE_LEVEL_${1#*+}"
  local max=${!cap:-} bytes=${!bytes_var:-} verticles=${3:-http-router} limits=${4:-}
  cat <<YAML
$(transport_yaml "$1")
eventLoops: 1              # one loop on the one proxy core the harness pins
verticles: [$verticles]
clusters:
  - name: backend
    endpoints: [{host: 127.0.0.1, port: $2}]${limits:+
    limits: {$limits\}}
http:
  listeners:
    - {name: bench, host: 127.0.0.1, port: $proxy_port, h2c: false${max:+, maxConnections: $max}${bytes:+, byteLevelHttp1: true}}
  routes:
    - {name: all, target: backend}
YAML
}

# results_dir KIND -> exports RES_DIR (default bench/results/KIND-<UTC timestamp>), created and made absolute: the
# harness and summarize.sh run elsewhere
results_dir() {
  export RES_DIR=${RES_DIR:-$bench_here/results/$1-$(date -u +%Y%m%dT%H%M%SZ)}
  mkdir -p "$RES_DIR"; RES_DIR=$(cd "$RES_DIR" && pwd)
}

# ringway_systems KIND(tcp|http) UPSTREAM_PORT -> for each TRANSPORTS entry, a ringway_KIND_yaml config under
# $RUN_DIR/ringway-KIND, registered as a system with ringway_system (not in a subshell: its exports must stay)
ringway_systems() {
  local kind=$1 port=$2 conf="$RUN_DIR/ringway-$1" transport label jvm own_jar
  mkdir -p "$conf"
  for transport in $TRANSPORTS; do
    label=$(label_of "$transport")
    jvm=JAVA_OPTS_${transport#*+}
    own_jar=RINGWAY_JAR_${transport#*+}
    "ringway_${kind}_yaml" "$transport" "$port" > "$conf/$label.yaml"
    ringway_system "$label" "$conf/$label.yaml" "$kind" "$([[ $transport == *+* ]] && echo "${!jvm:-}")" \
      "$([[ $transport == *+* ]] && echo "${!own_jar:-}")"
  done
}

# ringway_system LABEL CONFIG_FILE KIND(tcp|http) [JVM_OPTIONS (default JAVA_OPTS)] [JAR (default $jar)] -> exports
# PROXY_CMD_/PROXY_PORT_ringway_<transport> and appends the system name cmd:ringway_<transport> to $systems (not in a
# subshell: the exports must reach the harness)
ringway_system() {
  local label=ringway_$1 system_jar=${5:-$jar}
  [ -f "$system_jar" ] || { echo "bench: $system_jar (system $label) not found" >&2; exit 2; }
  system_jar=$(readlink -f "$system_jar")
  "$JAVA_HOME/bin/java" -jar "$system_jar" validate "$2" >&2 || { echo "bench: $2 does not validate" >&2; exit 2; }
  local java="$JAVA_HOME/bin/java --enable-native-access=ALL-UNNAMED ${4:-$JAVA_OPTS} -jar $system_jar"
  if [ "$RINGWAY_WARMUP" = 1 ]; then
    export "PROXY_CMD_$label=$bench_here/warm-start.sh $3 $2 $java"
  else
    export "PROXY_CMD_$label=$java --conf $2"
  fi
  export "PROXY_PORT_$label=$proxy_port"
  systems+=" cmd:$label"
}

# machine facts for the results directory
describe_machine() { # file
  {
    echo "date_utc: $(date -u +%FT%TZ)"
    echo "cpu: $(lscpu | sed -n 's/^Model name: *//p' | head -1) ($(nproc) cpus)"
    echo "kernel: $(uname -r)"
    echo "jdk: $("$JAVA_HOME/bin/java" -version 2>&1 | head -2 | tr '\n' ' ')"
    echo "jar: $jar ($(stat -c '%y %s bytes' "$jar"), sha256 $(sha256sum "$jar" | cut -c1-16))"
    local own
    for own in $(compgen -v RINGWAY_JAR_ || true); do
      echo "jar of variant ${own#RINGWAY_JAR_}: ${!own} (sha256 $(sha256sum "${!own}" | cut -c1-16))"
    done
    echo "java_opts: $JAVA_OPTS (warm-up: RINGWAY_WARMUP=$RINGWAY_WARMUP, WARM_SECS=${WARM_SECS:-2}, WARM_BUDGET=${WARM_BUDGET:-25})"
    echo "haproxy: $(haproxy -v 2>/dev/null | head -1)"
    echo "nginx: $(nginx -v 2>&1)"
    echo "load_before: $(cat /proc/loadavg)"
  } > "$1"
}

# Background sampler of machine load (the machine is shared): every 15 s, the load average, the share of
# both cpus busy over the last 15 s, and how many Maven JVMs (others' builds) run, into $RES_DIR/load.txt.
# Stopped by pid on exit.
start_load_sampler() {
  ( s=""; trap '[ -n "$s" ] && kill "$s" 2>/dev/null; exit 0' TERM
    prev=$(awk '/^cpu /{print $2+$3+$4+$7+$8+$9, $2+$3+$4+$5+$6+$7+$8+$9}' /proc/stat)
    while :; do
      sleep 15 & s=$!; wait "$s"
      cur=$(awk '/^cpu /{print $2+$3+$4+$7+$8+$9, $2+$3+$4+$5+$6+$7+$8+$9}' /proc/stat)
      busy=$(echo "$prev $cur" | awk '{printf "%.0f", ($3-$1)*100/($4-$2)}'); prev=$cur
      # TIME_WAIT: a churn workload leaves up to the whole ephemeral port range behind it for 60 s, and the
      # systems measured after it connect through that; compare systems of one run with it in view.
      echo "$(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg) | cpus busy ${busy}% | maven JVMs $(ps -eo args= | grep -c '[p]lexus-classworlds') | TIME_WAIT $(awk '/^TCP:/{for (i = 2; i < NF; i++) if ($i == "tw") print $(i + 1)}' /proc/net/sockstat)"
    done ) >> "$RES_DIR/load.txt" 2>/dev/null &
  sampler_pid=$!
  trap 'kill "$sampler_pid" 2>/dev/null' EXIT
}

# Waits (at most WAIT_MAX seconds, default 300) while another benchmark on this machine is measuring: processes
# whose command line matches WAIT_FOR (default: bench/tun.sh's iperf3 clients across its tunnel/veth addresses;
# tun.sh in turn waits while ours run). WAIT_FOR= skips.
wait_for_others() {
  local pattern=${WAIT_FOR-'iperf3 -c 10\.17|iperf3 -c 192\.168\.17'} max=${WAIT_MAX:-300} waited=0
  [ -n "$pattern" ] || return 0
  while pgrep -f "$pattern" > /dev/null 2>&1; do
    [ "$waited" = 0 ] && echo "bench: waiting while another benchmark runs ($(pgrep -af "$pattern" | head -1 | cut -c1-80))" >&2
    [ "$waited" -ge "$max" ] && { echo "bench: waited ${max}s; going ahead" >&2; return 0; }
    sleep 5; waited=$((waited + 5))
  done
  [ "$waited" -gt 0 ] && echo "bench: waited ${waited}s for another benchmark" >&2
  return 0
}
