# idn-gain.gp - the IDN policies over time, a line per policy: the gain of
# each slot (seconds of cost saved against the repository, as served), and
# the time-averaged gain so far as a share of the static allocation's.
#
#   strata run configs/idn-tree-sliding.yaml --db idn.db
#   strata export --db idn.db --what timeseries --csv ts.csv
#   gnuplot -c analysis/idn-gain.gp ts.csv idn-gain.png png idn-tree-sliding
#
# gnuplot -c idn-gain.gp DATA OUT FORMAT [SCENARIO] ["NAMES"]
# DATA: the timeseries CSV (run_key,scenario,policy,params,seed,slot,name,
# value); SCENARIO: plot only that scenario's runs (default: all rows);
# NAMES: the policies (default "infida greedy static lru lfu").  Runs of
# one policy (seeds) are averaged slot by slot.
data = ARG1; out = ARG2; fmt = ARG3
scen = ARGC >= 4 ? ARG4 : ""
names = ARGC >= 5 && ARG5 ne "" ? ARG5 : "infida greedy static lru lfu"
if (!exists("dir")) {
    dir = ""
    do for [i = strlen(ARG0):1:-1] {
        if (dir eq "" && ARG0[i:i] eq "/") { dir = ARG0[1:i] }
    }
}
load dir . "common.gp"

# One table per series: (policy number, slot, value) rows, each policy's
# rows together, so a policy's line is not broken by the rows of others;
# `smooth unique` averages seeds slot by slot.
set table $gain
plot for [i = 1:words(names)] data using (i):6:8 with table \
     if (strcol(3) eq word(names, i) && strcol(7) eq "gain_integral" && \
         (scen eq "" || strcol(2) eq scen))
set table $norm
plot for [i = 1:words(names)] data using (i):6:8 with table \
     if (strcol(3) eq word(names, i) && strcol(7) eq "gain_avg_norm" && \
         (scen eq "" || strcol(2) eq scen))
unset table
set datafile separator whitespace

set multiplot layout 2, 1 title "IDN policies over time" . \
    (scen eq "" ? "" : " - " . scen)
unset xlabel
set ylabel "gain per slot (s of cost saved)"
plot for [i = 1:words(names)] $gain using 2:($1 == i ? $3 : 1/0) \
     smooth unique with lines title word(names, i)
set xlabel "slot"
set ylabel "time-averaged gain / static's"
plot for [i = 1:words(names)] $norm using 2:($1 == i ? $3 : 1/0) \
     smooth unique with lines title word(names, i)
unset multiplot
