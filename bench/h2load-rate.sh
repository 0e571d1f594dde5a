# Sourced by bench/wrk-wrap/wrk and bench/startup.sh: h2load's arguments for an open loop at a fixed rate.
# h2load_rate_args CLOSE RATE THREADS SECS CONNS -> array rate_args
#   CLOSE=1: RATE new connections/s with one request each, for SECS (h2load -r connections every --rate-period: the
#            shortest whole-ms period within 3 % of the rate, at least THREADS connections a period);
#   else:    CONNS keep-alive connections sending RATE requests/s between them, for SECS.
h2load_rate_args() {
  local close=$1 rate=$2 threads=$3 secs=$4 conns=$5 per period total
  if [ "$close" = 1 ]; then
    read -r per period < <(awk -v r="$rate" -v t="$threads" 'BEGIN {
      for (p = 1; p <= 100; p++) { n = int(r * p / 1000 + 0.5); if (n >= t && (n * 1000 / p - r) ^ 2 <= (0.03 * r) ^ 2) { print n, p; exit } }
      print t, int(t * 1000 / r + 0.5) }')
    total=$(awk -v r="$rate" -v s="$secs" 'BEGIN {printf "%d", r * s}')
    rate_args=(-H "Connection: close" -r "$per" --rate-period "${period}ms" -c "$total" -n "$total")
  else
    rate_args=(-c "$conns" -D "$secs" --rps "$(awk -v r="$rate" -v c="$conns" 'BEGIN {printf "%.3f", r / c}')")
  fi
}
