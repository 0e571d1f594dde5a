# Plot for bench/transports.sh: the HTTP router's req/s and syscalls per request, one bar per transport.
# Data: tab-separated lines "transport<TAB>req/s<TAB>syscalls per request" (transports.sh writes http-plot.dat).
# usage: gnuplot -e "datafile='DIR/http-plot.dat'; outfile='DIR/transports.png'; subtitle='...'" bench/plot-transports.gp
if (!exists("datafile")) datafile = 'http-plot.dat'
if (!exists("outfile")) outfile = 'transports.png'
if (!exists("subtitle")) subtitle = ''
set terminal pngcairo noenhanced size 1100,480 font 'DejaVu Sans,11'
set output outfile
set datafile separator "\t"
stats datafile using 2 nooutput
n = STATS_records
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.75
set grid ytics
set yrange [0:*]
set offsets 0, 0, graph 0.12, 0
set xrange [-0.6:n - 0.4]
set xtics nomirror scale 0
set ytics nomirror
set key off
set multiplot layout 1,2 title "Ringway HTTP router by transport (one event loop)\n".subtitle
set title "throughput: req/s (higher is better)"
plot datafile using 2:xtic(1) lc rgb '#3b7dd8', \
     '' using 0:2:(sprintf("%.0f", $2)) with labels offset 0,0.9 notitle
set title "syscalls per request, strace -c (lower is better)"
plot datafile using 3:xtic(1) lc rgb '#d8703b', \
     '' using 0:3:(sprintf("%.2f", $3)) with labels offset 0,0.9 notitle
unset multiplot
