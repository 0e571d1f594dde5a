#!/usr/bin/env bash
# Condensed tables with ratios, from one run's results directory (tcp.tsv and/or http.tsv written by
# bench/tcp.sh / bench/http.sh through the peers' harness). Clean runs (perf=0) are averaged for throughput,
# latency and CPU; syscalls come from the perf-attached run. Ratios are taken within the same run:
# Ringway on each transport vs haproxy1, and io_uring vs epoll.
#
# usage: bench/ratios.sh RESULTS_DIR [RESULTS_DIR...]
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: $0 RESULTS_DIR..." >&2; exit 2; }
for dir in "$@"; do
  if [ -f "$dir/tcp.tsv" ]; then
    echo "#### TCP, $(basename "$dir") (clean-run means; syscalls from the perf run)"
    echo
    echo "| system | -P | Gbit/s | vs haproxy1 | proxy CPU-s / 10 GB | vs haproxy1 | syscalls / MB | vs haproxy1 | top syscalls / MB |"
    echo "|---|---|---|---|---|---|---|---|---|"
    awk -F'\t' 'NR>1 {
      k=$3 SUBSEP $4; if (!(k in seen)) { seen[k]=1; order[++n]=k }
      if ($6==0) { g[k]+=$7; c[k]+=$11; m[k]++ } else { sc[k]=$14; top[k]=$15 }
    } END {
      for (i=1;i<=n;i++) { k=order[i]; split(k,a,SUBSEP); sys=a[1]; P=a[2]; sub(/^cmd:/,"",sys)
        h="haproxy1" SUBSEP P
        gm=(m[k]? g[k]/m[k] : 0); cm=(m[k]? c[k]/m[k] : 0)
        hg=(m[h]? g[h]/m[h] : 0); hc=(m[h]? c[h]/m[h] : 0)
        printf "| %s | %s | %.2f | %s | %.2f | %s | %s | %s | %s |\n", sys, P, gm,
          (hg>0? sprintf("%.2fx", gm/hg) : "-"), cm, (hc>0? sprintf("%.2fx", cm/hc) : "-"),
          sc[k], ((sc[h]+0)>0 && sc[k]!="-"? sprintf("%.2fx", sc[k]/sc[h]) : "-"), top[k] }
      print ""
      print "io_uring vs epoll (same run):"
      print ""
      for (i=1;i<=n;i++) { k=order[i]; split(k,a,SUBSEP); if (a[1]!="cmd:ringway_io_uring") continue
        e="cmd:ringway_epoll" SUBSEP a[2]; if (!(e in seen) || !m[e] || !m[k]) continue
        printf "- -P %s: Gbit/s %.2fx, CPU-s per 10 GB %.2fx, syscalls per MB %.2fx (%s vs %s)\n", a[2],
          (g[k]/m[k])/(g[e]/m[e]), (c[k]/m[k])/(c[e]/m[e]), ((sc[e]+0)>0? sc[k]/sc[e] : 0), sc[k], sc[e] }
    }' "$dir/tcp.tsv"
    echo
  fi
  if [ -f "$dir/http.tsv" ]; then
    echo "#### HTTP, $(basename "$dir") (clean-run means; syscalls from the perf run)"
    echo
    echo "| system | workload | req/s | vs haproxy1 | p50 ms | p99 ms | proxy CPU-s / 100k req | vs haproxy1 | syscalls / req | vs haproxy1 | top syscalls / req | errors |"
    echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
    awk -F'\t' 'NR>1 {
      k=$3 SUBSEP $4; if (!(k in seen)) { seen[k]=1; order[++n]=k }
      if ($6==0) { r[k]+=$7; p50[k]+=$9; p99[k]+=$10; c[k]+=$13; e[k]+=$11; m[k]++ } else { sc[k]=$17; top[k]=$18 }
    } END {
      for (i=1;i<=n;i++) { k=order[i]; split(k,a,SUBSEP); sys=a[1]; wl=a[2]; sub(/^cmd:/,"",sys)
        h="haproxy1" SUBSEP wl
        rm=(m[k]? r[k]/m[k] : 0); cm=(m[k]? c[k]/m[k] : 0); hr=(m[h]? r[h]/m[h] : 0); hc=(m[h]? c[h]/m[h] : 0)
        printf "| %s | %s | %.0f | %s | %.2f | %.2f | %.2f | %s | %s | %s | %s | %d |\n", sys, wl, rm,
          (hr>0? sprintf("%.2fx", rm/hr) : "-"), (m[k]? p50[k]/m[k] : 0), (m[k]? p99[k]/m[k] : 0), cm,
          (hc>0? sprintf("%.2fx", cm/hc) : "-"), sc[k], ((sc[h]+0)>0 && sc[k]!="-"? sprintf("%.2fx", sc[k]/sc[h]) : "-"), top[k], e[k] }
      print ""
      print "io_uring vs epoll (same run):"
      print ""
      for (i=1;i<=n;i++) { k=order[i]; split(k,a,SUBSEP); if (a[1]!="cmd:ringway_io_uring") continue
        q="cmd:ringway_epoll" SUBSEP a[2]; if (!(q in seen) || !m[q] || !m[k]) continue
        printf "- %s: req/s %.2fx, CPU-s per 100k %.2fx, syscalls per request %.2fx (%s vs %s)\n", a[2],
          (r[k]/m[k])/(r[q]/m[q]), (c[k]/m[k])/(c[q]/m[q]), ((sc[q]+0)>0? sc[k]/sc[q] : 0), sc[k], sc[q] }
    }' "$dir/http.tsv"
    echo
  fi
done
