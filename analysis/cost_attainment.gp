# cost_attainment.gp - cost against SLO attainment: one point per
# configuration (policy x sweep parameters), means with 95% CIs both ways.
# gnuplot -c cost_attainment.gp DATA OUT FORMAT "NAMES"
# DATA: blocks per policy (NAMES order) of
# att,cost,att_low,att_high,cost_low,cost_high
data = ARG1; out = ARG2; fmt = ARG3; names = ARG4
if (!exists("dir")) dir = ""
load dir . "common.gp"
set title "Cost against SLO attainment (means, 95% CI)"
set xlabel "SLO attainment"
set ylabel "cost per 1,000 requests ($)"
set xrange [0:1.05]
set yrange [0:*]
plot for [i=1:words(names)] data index (i - 1) using 1:2:3:4:5:6 \
     with xyerrorbars title word(names, i)
