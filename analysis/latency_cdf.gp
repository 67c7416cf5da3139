# latency_cdf.gp - the latency CDF of each policy.
# gnuplot -c latency_cdf.gp DATA OUT FORMAT "NAMES" SUBTITLE
# DATA: blocks (two blank lines apart, one per policy, in NAMES order) of
# latency_ms,cumulative_fraction
data = ARG1; out = ARG2; fmt = ARG3; names = ARG4
if (!exists("dir")) dir = ""
load dir . "common.gp"
set title "Latency CDF per policy" . (ARG5 eq "" ? "" : "\n" . ARG5)
set xlabel "latency (ms, log scale)"
set ylabel "fraction of requests"
set logscale x
set yrange [0:1]
set key inside right bottom
plot for [i=1:words(names)] data index (i - 1) using 1:2 with linespoints \
     pointinterval 50 title word(names, i)
