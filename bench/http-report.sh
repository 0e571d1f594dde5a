#!/usr/bin/env bash
# The columns bench/http.sh adds to the harness's summary, from a results directory of it: per system and workload
# (clean runs, reps averaged) req/s, p99, p99.9, proxy CPU-s per 100k requests, each with its ratio to haproxy1 in the
# same run, and bytes allocated per request (JVMs only: bench/wrk-wrap/wrk's jcmd accounting); and latency-<workload>.svg,
# the latency percentile curves (HdrHistogram style: x = 1/(1-p) on a log scale) of haproxy1, nginx1 and
# Ringway io_uring (and the l7bytes floor when measured), first rep.
#
# usage: bench/http-report.sh RES_DIR   (writes RES_DIR/columns.md and RES_DIR/latency*.svg, prints columns.md)
set -euo pipefail
R=$1
pin=$(awk -F'\t' 'NR==2{print $2}' "$R/http.tsv")
# one line per clean run: system workload rps p99 p999 cpu100k alloc_per_req
for f in "$R"/raw/"${pin}"_*_p0.wrk; do
  tag=$(basename "$f" .wrk); rest=${tag#"${pin}_"}
  wl=$(sed -E 's/.*_(small|4k|echo4k|close)_r[0-9]+_p0$/\1/' <<< "$rest"); sys=${rest%_"${wl}"_r*}
  rep=$(sed -E 's/.*_r([0-9]+)_p0$/\1/' <<< "$rest")
  awk -F'\t' -v s="$sys" -v w="$wl" -v r="$rep" '$3==s && $4==w && $5==r && $6==0 {print $7, $8, $10, $13}' "$R/http.tsv" | head -1 \
    | { read -r rps reqs p99 cpu
        p999=$(awk '$1=="percentile" && $2=="99.9" {printf "%.3f", $3/1000}' "$f")
        alloc=$(awk -v n="$reqs" '$1=="allocated_bytes" {printf "%.0f", $2/n}' "$f")
        echo "$sys $wl $rps $p99 ${p999:--} $cpu ${alloc:--}"; }
done > "$R/columns.txt"
{
  echo "| system | workload | req/s | x HAProxy | p99 ms | x HAProxy | p99.9 ms | x HAProxy | CPU-s/100k | x HAProxy | alloc B/req |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|"
  awk '
    { k=$1" "$2; n[k]++; rps[k]+=$3; p99[k]+=$4; if ($5!="-") {p999[k]+=$5; n9[k]++}; cpu[k]+=$6; if ($7!="-") {al[k]+=$7; na[k]++}
      sys[$1]=1; wl[$2]=1 }
    function avg(a, k, c) { return c ? a[k]/c : 0 }
    function ratio(x, y) { return (y > 0 && x > 0) ? sprintf("%.2fx", x/y) : "-" }
    END {
      split("small 4k echo4k close", order, " ")
      for (i = 1; i <= 4; i++) { w = order[i]; if (!(w in wl)) continue; h = "haproxy1 " w
        for (s in sys) { k = s" "w; if (!(k in n)) continue
          r = avg(rps,k,n[k]); p = avg(p99,k,n[k]); q = avg(p999,k,n9[k]); c = avg(cpu,k,n[k])
          printf "| %s | %s | %.0f | %s | %.2f | %s | %s | %s | %.2f | %s | %s |\n", s, w, r, ratio(r, avg(rps,h,n[h])),
            p, ratio(p, avg(p99,h,n[h])), (n9[k] ? sprintf("%.2f", q) : "-"), ratio(q, avg(p999,h,n9[h])),
            c, ratio(c, avg(cpu,h,n[h])), (na[k] ? sprintf("%.0f", al[k]/na[k]) : "-") } } }' "$R/columns.txt" \
    | sort -t'|' -k3,3 -k2,2
} > "$R/columns.md"
# latency-<workload>.svg (latency.svg: the small GET's): x = log10(1/(1-p)) from p50 (0.3) to p99.99 (4), plus max at
# 5; y = ms, linear from 0
plot() { # workload title
  local wl=$1 title=$2 series=() s f
  for s in haproxy1 nginx1 cmd:ringway_io_uring cmd:vertx_http_proxy cmd:floor_l7bytes; do
    f="$R/raw/${pin}_${s}_${wl}_r1_p0.wrk"; [ -f "$f" ] && series+=("${s#cmd:}:$f")
  done
  [ ${#series[@]} -gt 0 ] || return 0
  for entry in "${series[@]}"; do
    s=${entry%%:*} f=${entry#*:}
    awk -v s="$s" '$1=="percentile" {p=$2; x = (p == 100) ? 5 : log(1/(1-p/100))/log(10); printf "%s %.4f %.3f %s\n", s, x, $3/1000, p}' "$f"
  done > "$R/latency-$wl.txt"
  awk -v title="$title" '
  { s[NR]=$1; x[NR]=$2; y[NR]=$3; p[NR]=$4; if ($3 > ymax) ymax = $3; if (!($1 in seen)) { seen[$1] = ++ns; name[ns] = $1 } }
  END {
    W = 720; H = 420; L = 60; B = 360; T = 40; Rr = 690
    ymax = ymax * 1.1; if (ymax <= 0) ymax = 1
    split("#1f77b4 #d62728 #2ca02c #9467bd #ff7f0e", col, " ")
    printf "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"12\">\n", W, H
    printf "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n<text x=\"%d\" y=\"20\" font-size=\"13\">%s</text>\n", L, title
    printf "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/><line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>\n", L, B, Rr, B, L, B, L, T
    split("50 90 99 99.9 99.99 max", lab, " "); split("0.301 1 2 3 4 5", lx, " ")
    for (i = 1; i <= 6; i++) { px = L + (lx[i] - 0.301) / (5 - 0.301) * (Rr - L)
      printf "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/><text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s%s</text>\n", px, B, px, T, px, B + 16, lab[i], (i < 6 ? "%" : "") }
    for (i = 0; i <= 5; i++) { v = ymax * i / 5; py = B - (B - T) * i / 5
      printf "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#eee\"/><text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%.1f</text>\n", L, py, Rr, py, L - 4, py + 4, v }
    printf "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">percentile</text><text x=\"14\" y=\"%d\" transform=\"rotate(-90 14 %d)\" text-anchor=\"middle\">latency ms</text>\n", (L + Rr) / 2, B + 34, (B + T) / 2, (B + T) / 2
    for (k = 1; k <= ns; k++) { pts = ""
      for (i = 1; i <= NR; i++) if (s[i] == name[k]) pts = pts sprintf("%.1f,%.1f ", L + (x[i] - 0.301) / (5 - 0.301) * (Rr - L), B - (B - T) * y[i] / ymax)
      printf "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"%s\"/>\n", col[k], pts
      printf "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"3\" fill=\"%s\"/><text x=\"%d\" y=\"%d\">%s</text>\n", L + 12, T + 6 + 16 * k, col[k], L + 28, T + 10 + 16 * k, name[k] }
    print "</svg>" }' "$R/latency-$wl.txt" > "$R/latency-$wl.svg"
}
cpu=$(sed -n 's/^cpu: //p' "$R/machine.txt" 2>/dev/null || true)
for wl in small 4k echo4k close; do
  f=$(ls "$R"/raw/"${pin}"_haproxy1_"${wl}"_r1_p0.wrk 2>/dev/null || true)
  rate=$([ -n "$f" ] && sed -nE 's/^fixed rate ([0-9]+) req\/s.*/\1/p' "$f" || true)
  if [ -z "$rate" ]; then how="wrk -t2 -c64"
  elif [ "$wl" = close ]; then how="fixed rate $rate req/s, h2load, a connection per request"
  else how="fixed rate $rate req/s, h2load -c64"; fi
  plot "$wl" "$wl latency by percentile ($how, $pin), $cpu"
done
[ -f "$R/latency-small.svg" ] && cp "$R/latency-small.svg" "$R/latency.svg"
cat "$R/columns.md"
