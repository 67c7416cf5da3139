# common.gp - terminal and style shared by the figure scripts.  Loaded with
# the output file and format ("png" or "svg") in `out` and `fmt`.
if (fmt eq "svg") {
    set terminal svg size 800,500 dynamic font "sans,12" noenhanced
} else {
    set terminal pngcairo size 800,500 font "sans,10" noenhanced
}
set output out
set datafile separator ","
set datafile missing ""
set grid ytics lc rgb "#dddddd"
set border 3
set tics nomirror
set key outside right top
set style line 1 lc rgb "#1b9e77" lw 2 pt 7
set style line 2 lc rgb "#d95f02" lw 2 pt 5
set style line 3 lc rgb "#7570b3" lw 2 pt 9
set style line 4 lc rgb "#e7298a" lw 2 pt 11
set style line 5 lc rgb "#66a61e" lw 2 pt 13
set style line 6 lc rgb "#e6ab02" lw 2 pt 15
set style line 7 lc rgb "#a6761d" lw 2 pt 4
set style line 8 lc rgb "#666666" lw 2 pt 6
set style increment user
