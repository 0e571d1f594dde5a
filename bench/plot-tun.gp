# Plot for bench/tun.sh (issue 18): Gbit per bridge CPU-second and Gbit/s per path, 1 and 4 streams.
# Data: RES_DIR/means.tsv (tun.sh writes it): path, streams, gbit_s, share_of_veth, gbit_per_cpu_s, x_wireguard_go,
# pkts_per_syscall. The veth row (no tunnel, no bridge CPU) is left out of the left plot and shown as a share.
# usage: gnuplot -e "datafile='DIR/means.tsv'; outfile='docs/tun-offloads.png'; subtitle='...'" bench/plot-tun.gp
if (!exists("datafile")) datafile = 'means.tsv'
if (!exists("outfile")) outfile = 'tun-offloads.png'
if (!exists("subtitle")) subtitle = ''
set terminal pngcairo noenhanced size 1200,500 font 'DejaVu Sans,10'
set output outfile
set datafile separator "\t"
set key autotitle columnhead
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.8
set grid ytics
set yrange [0:*]
set offsets 0, 0, graph 0.12, 0
set xtics nomirror scale 0 rotate by -25
set ytics nomirror
set key top right
# one series per stream count: rows of streams 1 then 4 for each path
set multiplot layout 1,2 title "Ringway TUN bridge: offloads on/off beside wireguard-go (one event loop per bridge)\n".subtitle
set title "Gbit per bridge CPU-second (higher is better)"
plot datafile using ($2==1 && strcol(1) ne "veth" ? $5 : 1/0):xtic(strcol(1) ne "veth" && $2==1 ? strcol(1) : "") \
       title "1 stream" lc rgb '#3b7dd8', \
     '' using ($2==4 && strcol(1) ne "veth" ? $5 : 1/0) title "4 streams" lc rgb '#d8703b'
set title "Gbit/s through the tunnel, % of veth above the bars"
plot datafile using ($2==1 && strcol(1) ne "veth" ? $3 : 1/0):xtic(strcol(1) ne "veth" && $2==1 ? strcol(1) : "") \
       title "1 stream" lc rgb '#3b7dd8', \
     '' using ($2==4 && strcol(1) ne "veth" ? $3 : 1/0) title "4 streams" lc rgb '#d8703b'
unset multiplot
