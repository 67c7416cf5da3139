# attainment_param.gp - SLO attainment against one swept parameter, a line
# per policy, with 95% CI error bars.
# gnuplot -c attainment_param.gp DATA OUT FORMAT "NAMES" PARAM NUMERIC
# DATA: blocks per policy (NAMES order) of x,mean,ci_low,ci_high,label;
# NUMERIC 1: x is the value, else x is a position and label the tick.
data = ARG1; out = ARG2; fmt = ARG3; names = ARG4; param = ARG5
if (!exists("dir")) dir = ""
load dir . "common.gp"
set title "SLO attainment against " . param . " (mean, 95% CI)"
set xlabel param
set ylabel "SLO attainment"
set yrange [0:1.05]
set offsets graph 0.03, graph 0.03, 0, 0
if (ARG6 eq "1") {
    plot for [i=1:words(names)] data index (i - 1) using 1:2:3:4 \
         with yerrorlines title word(names, i)
} else {
    plot for [i=1:words(names)] data index (i - 1) using 1:2:3:4:xtic(5) \
         with yerrorlines title word(names, i)
}
