# bench/measure.sh - what the benchmark reads of the processes it runs:
# CPU time and bytes written from /proc, peak memory, nmigd's counters
# (/metrics) and pacing (its status document), dnsperf's runs, and the
# medians and percentiles of the results.  Source it from bash after
# bench/lib.sh; it defines functions only.

BENCH_HZ=$(getconf CLK_TCK)

# cpu_ticks PID...: utime+stime of the processes, all their threads, in
# clock ticks.  Fields are counted after the comm, "(nsd: server 1)".
cpu_ticks() {
	local p
	for p in "$@"; do
		cat "/proc/$p/stat" 2>/dev/null
	done | awk '{ sub(/.*\) /, ""); t += $12 + $13 } END { print t + 0 }'
}

# write_bytes PID: what the process sent to the storage layer (SQLite's
# database and journal; its log goes to a pipe or file, a few lines).
write_bytes() {
	awk '$1 == "write_bytes:" { print $2 }' "/proc/$1/io" 2>/dev/null
}

# vm_hwm PID: peak resident set, kB.
vm_hwm() {
	awk '$1 == "VmHWM:" { print $2 }' "/proc/$1/status" 2>/dev/null
}

# db_bytes DIR: nmigd's database with its WAL and shared memory.
db_bytes() {
	du -cb "$1"/nmigd.db* 2>/dev/null | awk 'END { print $1 + 0 }'
}

# scrape MPORT FILE: /metrics into FILE.
scrape() {
	curl -fsS --max-time 120 -o "$2" "http://127.0.0.1:$1/metrics" 2>/dev/null
}

# metric FILE NAME: the value of an unlabelled series, or nothing.
metric() {
	awk -v k="$2" '$1 == k { v = $2 } END { if (v != "") print v }' "$1" 2>/dev/null
}

# probes_done FILE: queries finished, answered or not.
probes_done() {
	awk '$1 == "nmigd_answers_total" || $1 == "nmigd_timeouts_total" ||
	    $1 == "nmigd_probe_errors_total" { n += $2; f = 1 }
	    END { if (f) printf("%d\n", n) }' "$1" 2>/dev/null
}

# pacing SOCKET: "LATE LONGEST" from the status document's pacing
# (rounds due while the one before still ran; the longest round of about
# the last two intervals in whole seconds, -1 when none took a second).
pacing() {
	"$NMIGD_CTL" -s "$1" --json status --limit 1 2>/dev/null |
	    jq -r '.pacing | "\(.late_rounds) \(.longest_round_seconds // -1)"' 2>/dev/null
}

# complete_count SOCKET: how many domains the status document calls
# complete (a page of one: the reply still counts them all).
complete_count() {
	"$NMIGD_CTL" -s "$1" --json status --state complete --limit 1 2>/dev/null |
	    jq -r '.matched // empty' 2>/dev/null
}

# status_timed SOCKET: "MS BYTES REPLY_MS": the wall time of the one-
# line-per-domain `nmigd-ctl status`, and the size of the daemon's reply
# to it and how long that reply took to arrive (the same request, the
# rows of the list's columns, through socat: the daemon's share).
status_timed() {
	local t0 t1 t2 bytes
	t0=$(bench_now_ms)
	"$NMIGD_CTL" -s "$1" status >/dev/null 2>&1 || { echo "- - -"; return; }
	t1=$(bench_now_ms)
	bytes=$(echo '{"command":"status","summary":true,"columns":["domain_unicode","state","resolvers_new","resolvers_total","parent.state","complete_at","expected_complete_at","since"],"epoch":true}' |
	    socat -t 60 -T 60 - "UNIX-CONNECT:$1" 2>/dev/null | wc -c)
	t2=$(bench_now_ms)
	echo "$((t1 - t0)) $bytes $((t2 - t1))"
}

# median VALUE...: of the numbers given ("-" and empty ones left out),
# or "-".
median() {
	printf '%s\n' "$@" | grep -E '^-?[0-9.]+(e[-+]?[0-9]+)?$' | sort -g |
	    awk '{ v[NR] = $1 } END {
		if (NR == 0) print "-"
		else if (NR % 2) print v[(NR + 1) / 2]
		else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# percentile P: of the numbers on stdin, nearest rank; "-" for none.
percentile() {
	sort -g | awk -v p="$1" '{ v[NR] = $1 } END {
		if (NR == 0) { print "-"; exit }
		r = int(p / 100 * NR + 0.999999); if (r < 1) r = 1
		print v[r] }'
}

# dnsperf_run DIR CPU ADDR QUERYFILE WARM SECONDS -Q RATE | -q N: dnsperf
# pinned to CPU against ADDR:PORT, sending the file's mix with EDNS (as
# nmigd does) for WARM + SECONDS + 1 s, its PID in dp_pid meanwhile.  Its
# CPU is read from /proc at WARM and at WARM + SECONDS and the queries
# answered in between from its per-second statistics (-S 1).  Writes
# "QPS CPU_MS_PER_1K LOST_PCT" ("- - -" if nothing was answered) to
# DIR/dnsperf.res, its output to DIR/dnsperf.out.
dnsperf_run() {
	local d=$1 cpu=$2 addr=$3 qf=$4 warm=$5 secs=$6 c0 c1 t0 t1
	shift 6
	taskset -c "$cpu" dnsperf -s "$addr" -p "$PORT" -d "$qf" -e -S 1 \
	    -l $((warm + secs + 1)) "$@" >"$d/dnsperf.out" 2>&1 &
	dp_pid=$!
	pause "$warm"
	c0=$(cpu_ticks "$dp_pid")
	t0=$EPOCHREALTIME
	pause "$secs"
	c1=$(cpu_ticks "$dp_pid")
	t1=$EPOCHREALTIME
	wait "$dp_pid"
	dp_pid=
	# A line "T: QPS" covers the second before T; what of it falls in
	# [t0, t1] counts.
	awk -v t0="$t0" -v t1="$t1" -v c="$((c1 - c0))" -v hz="$BENCH_HZ" '
	/^[0-9]+\.[0-9]+: [0-9.]+$/ {
		e = $1 + 0; s = e - 1; q = $2
		lo = s > t0 ? s : t0; hi = e < t1 ? e : t1
		if (hi > lo) n += q * (hi - lo)
	}
	/Queries sent:/ { sent = $3 }
	/Queries lost:/ { lost = $3 }
	END {
		if (n <= 0) { print "- - -"; exit }
		printf("%.0f %.3f %.3f\n", n / (t1 - t0), c / hz * 1e6 / n,
		    sent ? 100 * lost / sent : 0)
	}' "$d/dnsperf.out" >"$d/dnsperf.res"
}

# perf_top FILE: the top lines of a cpu-clock profile, self and with
# children (perf report).
perf_top() {
	echo "perf, self (top 15):"
	perf report -i "$1" --no-children --stdio --sort dso,sym -g none \
	    2>/dev/null | grep -v '^#' | grep -v '^$' | head -n 15
	# Without main and the event loop, which hold everything.
	echo "perf, with children (top 15 below 100%):"
	perf report -i "$1" --children --stdio --sort sym -g none \
	    2>/dev/null | grep -v '^#' | grep -v '^$' |
	    awk '$1 != "100.00%"' | head -n 15
}

# callgrind_top FILE: the same from callgrind's instruction counts.
callgrind_top() {
	echo "callgrind, self (top 15):"
	callgrind_annotate "$1" 2>/dev/null | sed -n '/file:function/,$p' |
	    sed -n '3,17p'
	echo "callgrind, inclusive (top 15):"
	callgrind_annotate --inclusive=yes "$1" 2>/dev/null |
	    sed -n '/file:function/,$p' | sed -n '3,$p' |
	    awk '{ f = $3; sub(/.*:/, "", f) } NF && !seen[f]++' | head -n 15
}
