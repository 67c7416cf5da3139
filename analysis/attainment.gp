# attainment.gp - SLO attainment by policy: mean over runs as bars, the 95%
# confidence interval as error bars.
# gnuplot -c attainment.gp DATA OUT FORMAT
# DATA: policy,mean,ci_low,ci_high (one row per policy, no header)
data = ARG1; out = ARG2; fmt = ARG3
if (!exists("dir")) dir = ""
load dir . "common.gp"
set title "SLO attainment by policy (mean, 95% CI)"
set ylabel "SLO attainment"
set yrange [0:1.05]
set xrange [-0.6:*]
set style fill solid 0.6 border -1
set boxwidth 0.6
unset key
plot data using 0:2:xtic(1) with boxes lc rgb "#1b9e77", \
     data using 0:2:3:4 with yerrorbars lc rgb "#222222" pt 0 lw 1.5
