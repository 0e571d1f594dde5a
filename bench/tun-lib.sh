# Namespace, key and TUN-bridge helpers shared by bench/tun.sh and bench/transports.sh. Source it; do not run it.
#
# Needs (set by the caller before calling the functions): common.sh and ../shared/bench/lib.sh sourced (JAVA_HOME,
# $jar, JAVA_OPTS, RUN_DIR, log, cpu_ticks), RES_DIR (bridge configs and logs go to $RES_DIR/raw), RAW, KEY_DIR (a
# private temporary directory for throwaway keys), sfx (a random suffix for namespace and interface names),
# IPERF_PORT_TUN, TUN_MTU, OTHERS and WAIT_MAX (wait_turn), TUN_PIN or PIN (unpinned | split), optional
# TUN_READ_SLOTS / TUN_WRITE_SLOTS. Every process started is recorded in MY_PIDS and every namespace in NAMESPACES;
# the caller's EXIT trap calls tun_teardown.
MY_PIDS=("${MY_PIDS[@]:-}")   # every process started here, stopped by pid
NAMESPACES=("${NAMESPACES[@]:-}")

# tun_teardown: stop every pid in MY_PIDS (TERM, then KILL), delete the key directory and the namespaces (their
# veth, TUN devices go with them) and warn about anything left with our suffix
tun_teardown() {
  local p ns left
  for p in "${MY_PIDS[@]:-}"; do [ -n "$p" ] && kill -TERM "$p" 2>/dev/null || true; done
  sleep 1
  for p in "${MY_PIDS[@]:-}"; do [ -n "$p" ] && kill -KILL "$p" 2>/dev/null || true; done
  for p in "${MY_PIDS[@]:-}"; do [ -n "$p" ] && wait "$p" 2>/dev/null || true; done
  [ -n "${KEY_DIR:-}" ] && rm -rf "$KEY_DIR"
  rm -f /var/run/wireguard/rwbw*"${sfx:-none}".sock 2>/dev/null || true
  for ns in "${NAMESPACES[@]:-}"; do [ -n "$ns" ] && ip netns del "$ns" 2>/dev/null || true; done
  left=$( { ip netns list; ip -o link show; } 2>/dev/null | grep -c "$sfx" || true)
  [ "$left" = 0 ] || echo "bench: WARNING: $left namespace/interface entries with suffix $sfx left" >&2
  return 0
}

# others' benchmark processes (not ours, not a pgrep/grep looking for them)
others() {
  local p out=""
  for p in $(pgrep -f "$OTHERS" || true); do
    [ "$p" = "$$" ] && continue
    grep -qaE 'pgrep|grep' "/proc/$p/cmdline" 2>/dev/null && continue
    out+="$p "
  done
  echo "$out"
}
# wait_turn WHAT: wait while others' benchmarks run; false if WAIT_MAX passed
wait_turn() {
  local waited=0 o
  while o=$(others); [ -n "$o" ]; do
    [ "$waited" = 0 ] && log "waiting for others' benchmark ($(for p in $o; do tr '\0' ' ' < /proc/$p/cmdline 2>/dev/null | cut -c1-60; echo -n '; '; done)) before $1"
    [ "$waited" -ge "$WAIT_MAX" ] && { log "gave up waiting after ${WAIT_MAX}s"; return 1; }
    sleep 3; waited=$((waited + 3))
  done
  [ "$waited" -gt 0 ] && log "waited ${waited}s"
  return 0
}

cpus_of() { # A|B -> taskset prefix (TUN_PIN, else PIN: split = namespace A on cpu0, B on cpu1)
  [ "${TUN_PIN:-${PIN:-unpinned}}" = split ] || return 0
  [ "$1" = A ] && echo "taskset -c 0" || echo "taskset -c 1"
}

# ------------------------------------------------------------------ namespaces, keys, bridges
# pair IDX TRANSPORT: namespaces, veth underlay 192.168.IDX.0/24, tunnel 10.IDX.0.0/24; sets vars with prefix P<IDX>_
make_pair() {
  local i=$1 ns
  local nsA="rwbA${i}${sfx}" nsB="rwbB${i}${sfx}" va="rwbv${i}a${sfx}" vb="rwbv${i}b${sfx}"
  for ns in "$nsA" "$nsB"; do ip netns add "$ns"; NAMESPACES+=("$ns"); ip -n "$ns" link set lo up; done
  ip link add "$va" netns "$nsA" type veth peer name "$vb" netns "$nsB"
  ip -n "$nsA" addr add "192.168.$i.1/24" dev "$va"; ip -n "$nsB" addr add "192.168.$i.2/24" dev "$vb"
  ip -n "$nsA" link set "$va" up; ip -n "$nsB" link set "$vb" up
  eval "P${i}_nsA=$nsA P${i}_nsB=$nsB P${i}_va=$va P${i}_vb=$vb"
}

# Curve25519 key pairs from the JDK (X25519): "private public" in Base64, the public key little-endian like Noise's.
keygen() {
  local src="$RUN_DIR/tun/KeyGen.java"
  mkdir -p "$RUN_DIR/tun"
  cat > "$src" <<'JAVA'
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.XECPrivateKey;
import java.security.interfaces.XECPublicKey;
import java.util.Base64;
public class KeyGen {
  public static void main(String[] args) throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("X25519");
    for (int n = 0; n < Integer.parseInt(args[0]); n++) {
      KeyPair pair = generator.generateKeyPair();
      byte[] privateKey = ((XECPrivateKey) pair.getPrivate()).getScalar().orElseThrow();
      byte[] u = ((XECPublicKey) pair.getPublic()).getU().toByteArray();   // big-endian, maybe 33 bytes
      byte[] publicKey = new byte[32];
      for (int i = 0; i < 32 && i < u.length; i++) publicKey[i] = u[u.length - 1 - i];
      System.out.println(Base64.getEncoder().encodeToString(privateKey) + " " + Base64.getEncoder().encodeToString(publicKey));
    }
  }
}
JAVA
  "$JAVA_HOME/bin/java" "$src" "$1"
}

# bridge_conf FILE TRANSPORT DEVICE TUNADDR LISTENHOST KEYFILE PEERKEY PEERENDPOINT PEERPREFIX [CIPHER] [LOOPS]
# CIPHER: tun.cipher (auto); LOOPS: eventLoops (1); above 1 the device is multi-queue, one queue per loop.
# TUN_OFFLOADS, when set: tun.offloads; TUN_ADMIN=1: the admin API too, on the namespace's loopback, for the
# bridge's own packet counters
bridge_conf() {
  local cipher=${10:-auto} loops=${11:-1} mq=false
  [ "$loops" -gt 1 ] && mq=true
  # quoted: YAML 1.1 would read a bare off as false (the quotes cannot go inside ${...:+} in a here-document)
  local offloads_line=""
  [ -n "${TUN_OFFLOADS:-}" ] && offloads_line=$'\n'"  offloads: \"$TUN_OFFLOADS\""
  cat > "$1" <<YAML
transport: $2
eventLoops: $loops
verticles: [${TUN_ADMIN:+admin, }tun-bridge]
tun:
  deviceName: $3
  cipher: $cipher
  multiQueue: $mq
  mtu: $TUN_MTU$offloads_line
  addresses: [$4/24]
  listenHost: $5${TUN_READ_SLOTS:+
  readSlots: $TUN_READ_SLOTS}${TUN_WRITE_SLOTS:+
  writeSlots: $TUN_WRITE_SLOTS}
  listenPort: 51820
  privateKeyFile: $6
  rekeyAfter: 2m
  peers:
    - name: peer
      publicKey: $7
      endpoint: $8:51820
      allowedPrefixes: [$9/32]
YAML
  "$JAVA_HOME/bin/java" -jar "$jar" validate "$1" >&2 || { echo "bench: $1 does not validate" >&2; exit 2; }
}

# start_bridge NS SIDE(A|B) CONF LOG -> echo pid (the JVM's: ip netns exec execs it)
start_bridge() {
  local pin; pin=$(cpus_of "$2")
  # shellcheck disable=SC2086
  $pin ip netns exec "$1" "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED $JAVA_OPTS -jar "$jar" --conf "$3" \
    > "$4" 2>&1 < /dev/null &
  echo $!
}

wait_device() { # NS DEV PID LOG: the launcher says ready and the device is up
  local i
  for i in $(seq 1 300); do
    grep -q 'ready in' "$4" 2>/dev/null && ip -n "$1" -o link show dev "$2" 2>/dev/null | grep 'UP' >/dev/null && return 0
    kill -0 "$3" 2>/dev/null || { echo "bench: bridge in $1 exited at start; log $4:" >&2; tail -20 "$4" >&2; exit 1; }
    sleep 0.1
  done
  echo "bench: $2 not up in $1 after 30 s; log $4:" >&2; tail -20 "$4" >&2; exit 1
}

# path_settings PATH -> "TRANSPORT OFFLOADS CIPHER LOOPS": a path is TRANSPORT[-tun|-off][-aes|-chacha][-mq2] with
# TRANSPORT io_uring|epoll|nio: io_uring (tun.offloads auto, tun.cipher auto), io_uring-off (no offloads), io_uring-tun
# (TUN offloads only, one datagram per UDP send), io_uring-aes / io_uring-chacha (that cipher only), io_uring-mq2
# (eventLoops 2, multi-queue), combined in that order (io_uring-off-chacha-mq2); a trailing -before runs the pair on
# BEFORE_JAR instead of the jar under test (io_uring-before), for an A/B of two builds in one run
path_settings() {
  local t=${1%%-*} o=auto c=auto l=1
  case $1 in *-off*) o=off ;; *-tun*) o=tun ;; esac
  case $1 in *-aes*) c=aes-256-gcm ;; *-chacha*) c=chacha20-poly1305 ;; esac
  case $1 in *-mq2*) l=2 ;; esac
  echo "$t $o $c $l"
}
path_var() { echo "${1//-/_}"; }

# setup_tunnel IDX PATH: bridges in pair IDX; sets T_<path, - as _>_{pids,nsA,nsB,devA,devB,dst}
setup_tunnel() {
  local i=$1 t=$2 d="$RES_DIR/raw" nsA nsB keys privA pubA privB pubB v transport cipher loops
  local TUN_OFFLOADS jar=$jar       # start_bridge and bridge_conf see this pair's jar
  case $t in *-before) jar=${BEFORE_JAR:?"bench: path $t needs BEFORE_JAR (an older ringway.jar)"} ;; esac
  v=$(path_var "$t"); read -r transport TUN_OFFLOADS cipher loops <<< "$(path_settings "$t")"
  local devA="rwbt${i}a${sfx}" devB="rwbt${i}b${sfx}"
  nsA=$(eval echo "\$P${i}_nsA"); nsB=$(eval echo "\$P${i}_nsB")
  wait_turn "starting the $t bridges" || exit 3      # key generation and config validation start JVMs too
  keys=$(keygen 2); read -r privA pubA <<< "$(sed -n 1p <<< "$keys")"; read -r privB pubB <<< "$(sed -n 2p <<< "$keys")"
  ( umask 077; echo "$privA" > "$KEY_DIR/$t-a.key"; echo "$privB" > "$KEY_DIR/$t-b.key" )
  bridge_conf "$d/$t-a.yaml" "$transport" "$devA" "10.$i.0.1" "192.168.$i.1" "$KEY_DIR/$t-a.key" "$pubB" "192.168.$i.2" "10.$i.0.2" "$cipher" "$loops"
  bridge_conf "$d/$t-b.yaml" "$transport" "$devB" "10.$i.0.2" "192.168.$i.2" "$KEY_DIR/$t-b.key" "$pubA" "192.168.$i.1" "10.$i.0.1" "$cipher" "$loops"
  local pa pb
  pa=$(start_bridge "$nsA" A "$d/$t-a.yaml" "$d/$t-a.log"); MY_PIDS+=("$pa")
  pb=$(start_bridge "$nsB" B "$d/$t-b.yaml" "$d/$t-b.log"); MY_PIDS+=("$pb")
  wait_device "$nsA" "$devA" "$pa" "$d/$t-a.log"; wait_device "$nsB" "$devB" "$pb" "$d/$t-b.log"
  # the bridge logs its own public key: check the JDK-derived ones match what the peers were given
  grep -q "public key $pubA" "$d/$t-a.log" && grep -q "public key $pubB" "$d/$t-b.log" \
    || { echo "bench: a bridge's public key differs from the JDK-derived one; see $d/$t-[ab].log" >&2; exit 1; }
  eval "T_${v}_pids='$pa $pb' T_${v}_nsA=$nsA T_${v}_nsB=$nsB T_${v}_devA=$devA T_${v}_devB=$devB T_${v}_dst=10.$i.0.2"
  eval "T_${v}_kind=ringway"
  log "$t bridges up ($transport, cipher $cipher, eventLoops $loops): pids $pa (A, $nsA) $pb (B, $nsB); $(grep -o 'TUN offloads.*' "$d/$t-a.log" | head -1)"
}

# setup_wireguard IDX: wireguard-go (the distribution's, userspace WireGuard on TUN) in pair IDX, the same shape as
# the bridges (A -> B, tunnel 10.IDX.0.0/24, MTU TUN_MTU); sets T_wireguard_go_* like setup_tunnel
setup_wireguard() {
  local i=$1 nsA nsB ka kb pa pb devA="rwbw${1}a${sfx}" devB="rwbw${1}b${sfx}" wa wb
  command -v wireguard-go >/dev/null && command -v wg >/dev/null \
    || { echo "bench: wireguard-go path needs wireguard-go and wg (apt-get install -y wireguard-go wireguard-tools)" >&2; exit 2; }
  nsA=$(eval echo "\$P${i}_nsA"); nsB=$(eval echo "\$P${i}_nsB")
  ka=$(wg genkey); kb=$(wg genkey); pa=$(echo "$ka" | wg pubkey); pb=$(echo "$kb" | wg pubkey)
  local pin
  pin=$(cpus_of A); WG_PROCESS_FOREGROUND=1 $pin ip netns exec "$nsA" wireguard-go -f "$devA" > "$RAW/wireguard-go-a.log" 2>&1 &
  wa=$!; MY_PIDS+=("$wa")
  pin=$(cpus_of B); WG_PROCESS_FOREGROUND=1 $pin ip netns exec "$nsB" wireguard-go -f "$devB" > "$RAW/wireguard-go-b.log" 2>&1 &
  wb=$!; MY_PIDS+=("$wb")
  local n
  for n in $(seq 1 50); do ip -n "$nsA" link show "$devA" >/dev/null 2>&1 && ip -n "$nsB" link show "$devB" >/dev/null 2>&1 && break; sleep 0.1; done
  ip netns exec "$nsA" wg set "$devA" private-key <(echo "$ka") listen-port 51820 peer "$pb" endpoint "192.168.$i.2:51820" allowed-ips "10.$i.0.2/32"
  ip netns exec "$nsB" wg set "$devB" private-key <(echo "$kb") listen-port 51820 peer "$pa" endpoint "192.168.$i.1:51820" allowed-ips "10.$i.0.1/32"
  ip -n "$nsA" addr add "10.$i.0.1/24" dev "$devA"; ip -n "$nsB" addr add "10.$i.0.2/24" dev "$devB"
  ip -n "$nsA" link set "$devA" mtu "$TUN_MTU" up; ip -n "$nsB" link set "$devB" mtu "$TUN_MTU" up
  eval "T_wireguard_go_pids='$wa $wb' T_wireguard_go_nsA=$nsA T_wireguard_go_nsB=$nsB T_wireguard_go_devA=$devA"
  eval "T_wireguard_go_devB=$devB T_wireguard_go_dst=10.$i.0.2 T_wireguard_go_kind=wireguard-go"
  log "wireguard-go up: pids $wa (A, $nsA) $wb (B, $nsB), $(wireguard-go --version 2>&1 | head -1)"
}

# inner packets the bridges of a path handled: their own counters (tun.packetsRead + packetsWritten, segments of
# super-packets counted one by one) through the admin API in each namespace; for wireguard-go (no offloads in the
# distribution's build) and veth, the devices' counters as before
inner_pkts() {
  local v kind; v=$(path_var "$1"); kind=$(eval echo "\${T_${v}_kind:-}")
  if [ "$kind" = ringway ] && [ -n "${TUN_ADMIN:-}" ]; then
    local ns t=0 n
    for ns in $(eval echo "\$T_${v}_nsA \$T_${v}_nsB"); do
      n=$(ip netns exec "$ns" curl -s -m 3 'http://127.0.0.1:9901/stats?format=json' \
          | jq '[.. | objects | select(has("tun") and has("offloads")) | .tun | .packetsRead + .packetsWritten] | add // 0' 2>/dev/null || echo 0)
      t=$((t + ${n:-0}))
    done
    echo "$t"
  else
    pkts $IFACES
  fi
}

start_iperf_server() { # NS -> pid
  local pin; pin=$(cpus_of B)
  $pin ip netns exec "$1" iperf3 -s -p "$IPERF_PORT_TUN" > "$RAW/iperf3-server-$1.log" 2>&1 < /dev/null &
  echo $!
}

user_ticks() { # pids... -> utime ticks summed (all threads); stime = cpu_ticks - this
  local t=0 p v
  for p in "$@"; do v=$(awk '{print $14}' "/proc/$p/stat" 2>/dev/null || echo 0); t=$((t + v)); done
  echo "$t"
}

# packet counters: sum of tx+rx packets of the interfaces given as NS:DEV
pkts() {
  local t=0 nd ns dev v
  for nd in "$@"; do
    ns=${nd%%:*}; dev=${nd#*:}
    v=$(ip netns exec "$ns" cat "/sys/class/net/$dev/statistics/tx_packets" "/sys/class/net/$dev/statistics/rx_packets" | awk '{s+=$1} END{print s}')
    t=$((t + v))
  done
  echo "$t"
}

# path_vars PATH: NS_A DST PIDS IFACES for a path: veth (pair 177's underlay) or one set up by setup_tunnel or
# setup_wireguard
path_vars() {
  local v; v=$(path_var "$1")
  case $1 in
    veth) NS_A=$P177_nsA; DST=192.168.177.2; PIDS=""; IFACES="$P177_nsA:$P177_va $P177_nsB:$P177_vb" ;;
    *)
      NS_A=$(eval echo "\$T_${v}_nsA"); DST=$(eval echo "\$T_${v}_dst"); PIDS=$(eval echo "\$T_${v}_pids")
      IFACES="$(eval echo "\$T_${v}_nsA"):$(eval echo "\$T_${v}_devA") $(eval echo "\$T_${v}_nsB"):$(eval echo "\$T_${v}_devB")" ;;
  esac
}

iperf_client() { # NS DST SECS STREAMS OUT
  local pin; pin=$(cpus_of A)
  # shellcheck disable=SC2086
  timeout -k 5 $(( $3 + 30 )) $pin ip netns exec "$1" iperf3 -c "$2" -p "$IPERF_PORT_TUN" -t "$3" -P "$4" -J \
    --connect-timeout 5000 > "$5" 2>&1 || true
}
