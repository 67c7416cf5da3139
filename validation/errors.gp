# errors.gp - median and p95 relative error of strata's fluid and tcp
# transfer models against ns-3, per network / connection mode / ns-3 TCP.
# usage: gnuplot -c validation/errors.gp errors-plot.dat errors.png
# (errors-plot.dat is written by validation/run)
if (ARGC < 2) { print "usage: gnuplot -c errors.gp DATA OUT.png"; exit status 2 }
set terminal pngcairo size 1200,560 noenhanced font ",10"
set output ARG2
set title "Per-request latency vs ns-3: relative error (median and p95)"
set ylabel "|strata - ns-3| / ns-3"
set style data histogram
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set boxwidth 0.9
set grid ytics
set key outside right top
set logscale y
set yrange [1e-5:1]
set xtics rotate by -35
plot ARG1 using 2:xtic(1) title "fluid median", \
     '' using 3 title "fluid p95", \
     '' using 4 title "tcp median", \
     '' using 5 title "tcp p95"
