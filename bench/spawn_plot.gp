# spawn_plot.gp - plots bench_spawn's CSV (bench/README.md, "ni_spawn against
# its peers").  bench_spawn --plot DIR runs it; by hand:
#   gnuplot -e "csv='bench_spawn.csv'; outdir='.'; topsoft=20000; bigheap=2048" bench/spawn_plot.gp
# Writes outdir/spawn_fds.png (time per spawn against descriptors open) and
# outdir/spawn_rlimit.png (against the soft RLIMIT_NOFILE), one thread, a
# small parent on the left and the large one on the right.
if (!exists("csv")) csv = 'bench_spawn.csv'
if (!exists("outdir")) outdir = '.'
if (!exists("topsoft")) topsoft = 20000
if (!exists("bigheap")) bigheap = 2048

array M[7] = ["ni", "posix_spawn", "glib", "libuv", "fork_close_range", "fork_close_loop", "floor"]
array T[7] = ["ni\\_spawn", "posix\\_spawn + addclosefrom\\_np", "GLib g\\_spawn", \
              "libuv uv\\_spawn", "fork + close\\_range", "fork + close() loop", \
              "floor: clone(VM|VFORK)"]
# CSV columns: threads,fds,heap_mib,soft,method,median_us,...  One thread only.
ok(m, heap, soft, fds) = strcol(5) eq m && column(1) == 1 && column(3) == heap && \
                         (soft < 0 || column(4) == soft) && (fds < 0 || column(2) == fds)
heapname(h) = h == 0 ? "small parent" : (h % 1024 == 0 ? sprintf("%d GiB parent", h / 1024) \
                                                      : sprintf("%d MiB parent", h))

# One panel: $D gets one block per method (x = column xcol, y = the median),
# blocks separated by two blank lines, so "index i-1" is method i.  Filtering
# into a table first keeps each method's line unbroken.
panel(xcol, hv, soft, fds) = sprintf( \
  "undefine $D; do for [i=1:7] { set datafile separator ','; set table $D append; " . \
  "plot csv every ::1 using %d:6 with table if (ok(M[i], %d, %d, %d)); unset table; " . \
  "set print $D append; print ''; print ''; unset print }; " . \
  "set datafile separator whitespace; set title heapname(%d); " . \
  "plot for [i=1:7] $D index (i-1) using 1:2 with linespoints title T[i]", \
  xcol, hv, soft, fds, hv)

set terminal pngcairo size 1400,600 font ",10"
set key below maxrows 2 font ",9"
set grid
set logscale xy
set ylabel "us per spawn + reap (median)"

set output outdir."/spawn_fds.png"
set multiplot layout 1,2 title sprintf("bench\\_spawn: time against descriptors open (1 thread, soft RLIMIT\\_NOFILE %d)", topsoft)
set xlabel "descriptors open"
set xrange [6:16000]
eval panel(2, 0, topsoft, -1)
eval panel(2, bigheap, topsoft, -1)
unset multiplot

set output outdir."/spawn_rlimit.png"
set multiplot layout 1,2 title "bench\\_spawn: time against the soft RLIMIT\\_NOFILE (1 thread, 10 descriptors open)"
set xlabel "soft RLIMIT\\_NOFILE"
set xrange [700:topsoft * 1.5]
eval panel(4, 0, -1, 10)
eval panel(4, bigheap, -1, 10)
unset multiplot
