# Plot for bench/tun.sh (issue 18): Gbit per bridge CPU-second and Gbit/s per path, 1 and 4 streams side by side.
# Data: RES_DIR/plot.dat (tun.sh writes it from means.tsv): path, Gbit per CPU-s at 1 and 4 streams, Gbit/s at 1 and
# 4 streams, share of veth at 1 stream (%). The veth path (no bridge) is not a bar; its share is the label.
# usage: gnuplot -e "datafile='DIR/plot.dat'; outfile='docs/tun-offloads.png'; subtitle='...'" bench/plot-tun.gp
if (!exists("datafile")) datafile = 'plot.dat'
if (!exists("outfile")) outfile = 'tun-offloads.png'
if (!exists("subtitle")) subtitle = ''
set terminal pngcairo noenhanced size 1250,520 font 'DejaVu Sans,10'
set output outfile
set datafile separator "\t"
stats datafile skip 1 using 2 nooutput
n = STATS_records
set xrange [-0.6:n - 0.4]
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.85
set grid ytics
set yrange [0:*]
set offsets 0, 0, graph 0.12, 0
set xtics nomirror scale 0 rotate by -20
set ytics nomirror
set key top right
set multiplot layout 1,2 title "Ringway TUN bridge: offloads on/off beside wireguard-go, one event loop per bridge\n".subtitle
set title "Gbit per bridge CPU-second (higher is better)"
plot datafile skip 1 using 2:xtic(1) title "1 stream" lc rgb '#3b7dd8', '' skip 1 using 3 title "4 streams" lc rgb '#d8703b', \
     '' skip 1 using ($0-0.2):2:(sprintf("%.2f", $2)) with labels offset 0,0.8 notitle
set title "Gbit/s through the tunnel (label: % of the veth path, 1 stream)"
plot datafile skip 1 using 4:xtic(1) title "1 stream" lc rgb '#3b7dd8', '' skip 1 using 5 title "4 streams" lc rgb '#d8703b', \
     '' skip 1 using ($0-0.2):4:(sprintf("%.1f%%", $6)) with labels offset 0,0.8 notitle
unset multiplot
