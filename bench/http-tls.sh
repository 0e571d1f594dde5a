#!/usr/bin/env bash
# TLS L7 benchmark: wrk over TLS 1.3 through HAProxy (nbthread 1), nginx (1 worker) and Ringway's http-router
# (one event loop, one row per TLS engine), each terminating TLS with the same ECDSA P-256 certificate in front
# of the peers' nginx backend (../shared/bench/lib.sh), in one run. Workloads:
#   tls13       keep-alive requests (small GET) over TLS 1.3
#   tls13close  `Connection: close`: a new TCP connection and a full TLS 1.3 handshake per request (wrk keeps no
#               sessions, so none is resumed)
# Reports req/s, p50/p99, errors and proxy CPU-s per 100k requests, with the engine each proxy runs and each
# figure's ratio to HAProxy's in the same run. Called by bench/http.sh for these workloads; runs alone too.
#
# usage: bench/http-tls.sh [PIN=pinned] [REPS=2] [WORKLOADS="tls13 tls13close"]
#   pinned: wrk and the backend on cpu0, the proxy on cpu1.
# env: TLS_ENGINES (Ringway rows, default "openssl jdk"), DUR (10s), CONNS (64), THREADS (1), HARNESS_WARM (wrk
#      warm-up per workload, 2s), RINGWAY_WARMUP/WARM_SECS/WARM_BUDGET (bench/warm-start.sh), RES_DIR, RUN_DIR,
#      RINGWAY_JAR, JAVA_OPTS (bench/common.sh).
# Results: $RES_DIR/http-tls.tsv, http-tls.md (the table), raw/tls-*.wrk.
set -euo pipefail
. "$(dirname "$0")/common.sh"
PIN=${1:-pinned}
REPS=${2:-2}
WORKLOADS=${3:-"tls13 tls13close"}
TLS_ENGINES=${TLS_ENGINES:-"openssl jdk"}
DUR=${DUR:-10s}; CONNS=${CONNS:-64}; THREADS=${THREADS:-1}; WARM=${HARNESS_WARM:-2s}
results_dir http-tls
. "$shared/lib.sh"
RAW="$RES_DIR/raw"; mkdir -p "$RAW"
TSV="$RES_DIR/http-tls.tsv"
[ -f "$TSV" ] || printf 'ts\tpin\tsystem\tengine\tworkload\trep\trps\treqs\tp50_ms\tp99_ms\terrors\tproxy_cpu_s_per100k\n' > "$TSV"
trap stop_all EXIT INT TERM
if [ "$PIN" = pinned ]; then WRK_CPU=0; BE_CPU=0; PX_CPU=1; else WRK_CPU=""; BE_CPU=""; PX_CPU=""; fi
HAPROXY_TLS_PORT=18083; NGINX_TLS_PORT=18084

tls="$RUN_DIR/tls"; mkdir -p "$tls"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj /CN=bench.test \
  -addext subjectAltName=DNS:bench.test,IP:127.0.0.1 -keyout "$tls/key.pem" -out "$tls/cert.pem" 2>/dev/null
cat "$tls/cert.pem" "$tls/key.pem" > "$tls/combined.pem"   # HAProxy wants both in one file

start_haproxy_tls() { # cpus
  local d="$RUN_DIR/haproxy-tls"; mkdir -p "$d"
  cat > "$d/haproxy.cfg" <<CFG
global
  nbthread 1
  maxconn 8000
  ssl-default-bind-options ssl-min-ver TLSv1.3
defaults
  mode http
  timeout connect 5s
  timeout client 60s
  timeout server 60s
  timeout http-keep-alive 60s
  http-reuse always
frontend fe
  bind 127.0.0.1:$HAPROXY_TLS_PORT ssl crt $tls/combined.pem alpn http/1.1
  default_backend be
backend be
  server s1 127.0.0.1:$BACKEND_PORT maxconn 1000
CFG
  $(pin "$1") haproxy -db -f "$d/haproxy.cfg" >"$d/stdout" 2>&1 &
  PROXY_PID=$!; STARTED_PIDS+=("$PROXY_PID")
  wait_port "$HAPROXY_TLS_PORT" || { stop_all; exit 1; }
  sleep 0.2; PROXY_ACCT_PIDS=$PROXY_PID; PORT=$HAPROXY_TLS_PORT
}

start_nginx_tls() { # cpus
  local d="$RUN_DIR/nginx-tls"; mkdir -p "$d/logs"
  cat > "$d/nginx.conf" <<CFG
worker_processes 1;
error_log $d/logs/error.log warn;
pid $d/nginx.pid;
events { worker_connections 8192; multi_accept on; }
http {
  access_log off;
  keepalive_requests 100000000;
  keepalive_timeout 300s;
  proxy_temp_path $d/tmp_proxy; client_body_temp_path $d/tmp_body;
  fastcgi_temp_path $d/tmp_fcgi; uwsgi_temp_path $d/tmp_uwsgi; scgi_temp_path $d/tmp_scgi;
  upstream backend { server 127.0.0.1:$BACKEND_PORT; keepalive 128; keepalive_requests 100000000; }
  server {
    listen 127.0.0.1:$NGINX_TLS_PORT ssl reuseport backlog=4096;
    ssl_certificate $tls/cert.pem;
    ssl_certificate_key $tls/key.pem;
    ssl_protocols TLSv1.3;
    location / { proxy_pass http://backend; proxy_http_version 1.1; proxy_set_header Connection ""; }
  }
}
CFG
  $(pin "$1") nginx -p "$d" -c "$d/nginx.conf" -g 'daemon off;' >"$d/logs/stdout" 2>&1 &
  PROXY_PID=$!; STARTED_PIDS+=("$PROXY_PID")
  wait_port "$NGINX_TLS_PORT" || { stop_all; exit 1; }
  sleep 0.2; PROXY_ACCT_PIDS=$(proc_pids "$PROXY_PID"); PORT=$NGINX_TLS_PORT
}

# Ringway: one io_uring loop, a TLS 1.3 listener on the engine asked for, warmed like bench/http.sh's rows.
ringway_tls_yaml() { # engine
  cat <<YAML
transport: io_uring
eventLoops: 1
verticles: [http-router]
clusters:
  - name: backend
    endpoints: [{host: 127.0.0.1, port: $BACKEND_PORT}]
http:
  listeners:
    - name: bench
      host: 127.0.0.1
      port: $proxy_port
      h2c: false
      tls: {certFile: $tls/cert.pem, keyFile: $tls/key.pem, protocols: [TLSv1.3], engine: $1}
  routes:
    - {name: all, target: backend}
YAML
}
start_ringway_tls() { # engine cpus
  local conf="$RUN_DIR/ringway-tls-$1.yaml" java
  ringway_tls_yaml "$1" > "$conf"
  "$JAVA_HOME/bin/java" -jar "$jar" validate "$conf" >&2 || { echo "bench: $conf does not validate" >&2; exit 2; }
  java="$JAVA_HOME/bin/java --enable-native-access=ALL-UNNAMED $JAVA_OPTS -jar $jar"
  if [ "$RINGWAY_WARMUP" = 1 ]; then
    export "PROXY_CMD_ringway_tls_$1=$bench_here/warm-start.sh https $conf $java"
  else
    export "PROXY_CMD_ringway_tls_$1=$java --conf $conf"
  fi
  export "PROXY_PORT_ringway_tls_$1=$proxy_port"
  start_cmd_proxy "ringway_tls_$1" "$2"
  PORT=$proxy_port
}

wrk_tls_args() { # workload port
  case $1 in
    tls13)      WRK_ARGS=("https://127.0.0.1:$2/") ;;
    tls13close) WRK_ARGS=(-H "Connection: close" "https://127.0.0.1:$2/") ;;
    *) echo "bench: unknown TLS workload $1 (tls13, tls13close)" >&2; exit 2 ;;
  esac
}

one_tls_run() { # system engine workload rep
  local out="$RAW/tls-${PIN}_$1_$3_r$4.wrk" pb pa
  pb=$(cpu_ticks $PROXY_ACCT_PIDS)
  wrk_tls_args "$3" "$PORT"
  $(pin "$WRK_CPU") wrk -t"$THREADS" -c"$CONNS" -d"$DUR" --latency "${WRK_ARGS[@]}" > "$out" 2>&1
  pa=$(cpu_ticks $PROXY_ACCT_PIDS)
  read -r rps reqs p50 p99 errs < <(parse_wrk "$out")
  awk -v OFS='\t' -v ts="$(date +%FT%T)" -v pin="$PIN" -v sys="$1" -v eng="$2" -v wl="$3" -v rep="$4" \
      -v rps="$rps" -v reqs="$reqs" -v p50="$p50" -v p99="$p99" -v errs="$errs" -v pt=$((pa-pb)) -v hz="$CLK_TCK" \
      'BEGIN{ print ts,pin,sys,eng,wl,rep,rps,reqs,p50,p99,errs, sprintf("%.3f",pt/hz*100000/reqs) }' | tee -a "$TSV"
}

measure() { # system engine
  local wl rep negotiated
  log "system=$1 engine=$2 port=$PORT acct_pids=[$PROXY_ACCT_PIDS]"
  negotiated=$(echo | openssl s_client -connect "127.0.0.1:$PORT" -tls1_3 2>/dev/null | grep -m1 -o 'TLSv1.3, Cipher is [A-Z0-9_]*' || true)
  log "  sanity: $(curl -sk "https://127.0.0.1:$PORT/" | wc -c) body bytes; $negotiated"
  for wl in $WORKLOADS; do
    wrk_tls_args "$wl" "$PORT"
    $(pin "$WRK_CPU") wrk -t"$THREADS" -c"$CONNS" -d"$WARM" "${WRK_ARGS[@]}" > /dev/null 2>&1
    for rep in $(seq 1 "$REPS"); do one_tls_run "$1" "$2" "$wl" "$rep"; done
  done
  stop_all; sleep 1
}

# The OpenSSL each peer runs on (the library loaded, not the one it was built with).
openssl_version=$(haproxy -vv 2>/dev/null | sed -n 's/^Running on OpenSSL version : OpenSSL \([0-9.]*\).*/OpenSSL-\1/p')
start_backend 1 "$BE_CPU"; start_haproxy_tls "$PX_CPU"; measure haproxy "haproxy-$openssl_version"
start_backend 1 "$BE_CPU"; start_nginx_tls "$PX_CPU"; measure nginx "nginx-$openssl_version"
for engine in $TLS_ENGINES; do
  start_backend 1 "$BE_CPU"; start_ringway_tls "$engine" "$PX_CPU"
  # The engine in force, from the node's log (tls.engine openssl fails the listener where BoringSSL does not load).
  in_force=$(grep -m1 -o 'TLS on engine [a-z]*' "$RUN_DIR/cmd-ringway_tls_$engine/stdout" 2>/dev/null | awk '{print $NF}' || true)
  measure "ringway_$engine" "${in_force:-$engine?}"
done

# The table: the mean of the reps, and each figure's ratio to HAProxy's for the same workload.
awk -F'\t' -v OFS=' | ' 'NR>1 { k=$3"\t"$5; if (!(k in eng)) { order[++n]=k }; eng[k]=$4; rps[k]+=$7; p50[k]+=$9; p99[k]+=$10;
    err[k]+=$11; cpu[k]+=$12; c[k]++ }
  END {
    print "| system | engine | workload | req/s | vs HAProxy | p50 ms | p99 ms | errors | proxy CPU-s/100k req |"
    print "|---|---|---|---|---|---|---|---|---|"
    for (i=1; i<=n; i++) { k=order[i]; split(k, f, "\t"); h="haproxy\t"f[2];
      r=rps[k]/c[k]; hr=(h in rps) ? rps[h]/c[h] : 0
      printf "| %s | %s | %s | %.0f | %s | %.2f | %.2f | %d | %.2f |\n", f[1], eng[k], f[2], r,
        (hr>0 ? sprintf("%.2fx", r/hr) : "-"), p50[k]/c[k], p99[k]/c[k], err[k], cpu[k]/c[k] }
  }' "$TSV" > "$RES_DIR/http-tls.md"
cat "$RES_DIR/http-tls.md"
echo "results: $RES_DIR" >&2
