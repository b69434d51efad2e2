# bench/steady.sh - the steady workloads of bench/run.sh (W1, W2, W4):
# runs of nmigd on a fresh database, its first rounds stored, then a
# measuring window; each run's figures on a line of $fx/results, their
# medians as the workload's block, table row and targets.  Sourced by
# bench/run.sh, whose settings, work directory and out(), say(), param(),
# fixture(), profile_begin() and profile_end() it uses.

# baseline_hwm DIR: base_kb, the peak RSS of nmigd with the run's
# resolvers and no domain, once it serves /metrics and 2 s more.
baseline_hwm() {
	local d=$1/empty
	mkdir -p "$d" && cp "$1/resolvers.conf" "$d/" || return 1
	bench_nmigd_conf "$d" 0 "$I" 2 "$mport" >"$d/nmigd.conf"
	bench_nmigd_start "$d" "$NMIGD_CPU"
	bench_nmigd_ready "$d" "$mport" 60 || return 1
	sleep 2
	base_kb=$(vm_hwm "$bench_nmigd_pid")
	bench_stop "$bench_nmigd_pid"
	bench_nmigd_pid=
}

# window_open RD / window_close RD: the measuring window of a run in RD,
# its readings in the array win.  The scrapes and the status request are
# nmigd's work too, and are kept out of it; run 1 is profiled when asked.
window_open() {
	scrape "$mport" "$1/m0.txt" || { bench_log "scrape failed"; return 1; }
	win[p0]=$(pacing "$1/nmigd.sock")
	win[db0]=$(db_bytes "$1")
	win[nsd]=$(bench_nsd_procs "$fx/nsd")
	# shellcheck disable=SC2086
	win[n0]=$(cpu_ticks ${win[nsd]})
	win[c0]=$(cpu_ticks "$bench_nmigd_pid")
	win[w0]=$(write_bytes "$bench_nmigd_pid")
	win[t0]=$EPOCHREALTIME
	cpu_sampler "$1/cpu.txt"
	[ "$run" != 1 ] || profile_begin "$1"
}

window_close() {
	win[c1]=$(cpu_ticks "$bench_nmigd_pid")
	win[w1]=$(write_bytes "$bench_nmigd_pid")
	win[t1]=$EPOCHREALTIME
	# shellcheck disable=SC2086
	win[n1]=$(cpu_ticks ${win[nsd]})
	bench_stop "$sampler_pid"
	sampler_pid=
	[ "$run" != 1 ] || profile_end "$1"
	kill -0 "$bench_nmigd_pid" 2>/dev/null || { bench_log "nmigd died in the window"; return 1; }
	win[db1]=$(db_bytes "$1")
	scrape "$mport" "$1/m1.txt" || { bench_log "scrape failed"; return 1; }
	win[p1]=$(pacing "$1/nmigd.sock")
	win[hwm]=$(vm_hwm "$bench_nmigd_pid")
}

# cpu_sampler FILE: nmigd's CPU ticks once a second, "TIME TICKS", in the
# background (sampler_pid): the busiest second shows bursts that the
# window's mean hides.
cpu_sampler() {
	local pid=$bench_nmigd_pid
	while [ -r "/proc/$pid/stat" ]; do
		echo "$EPOCHREALTIME $(cpu_ticks "$pid")"
		sleep 1
	done >"$1" 2>/dev/null &
	sampler_pid=$!
}

# status_thrice RD: the median wall time, reply size and reply time of
# three `nmigd-ctl status`, in win.
status_thrice() {
	local i st ms=() b=() r=()
	for i in 1 2 3; do
		read -r -a st <<<"$(status_timed "$1/nmigd.sock")"
		ms+=("${st[0]}")
		b+=("${st[1]}")
		r+=("${st[2]}")
	done
	win[status_ms]=$(median "${ms[@]}")
	win[status_bytes]=$(median "${b[@]}")
	win[status_reply_ms]=$(median "${r[@]}")
}

# restart_secs RD: how long nmigd takes to load what it saved and start
# watching again, in win[restart_s].
restart_secs() {
	local t=$EPOCHREALTIME i
	mv "$1/nmigd.log" "$1/nmigd-first.log"
	bench_nmigd_start "$1" "$NMIGD_CPU"
	win[restart_s]=-
	for ((i = 0; i < 6000; i++)); do
		kill -0 "$bench_nmigd_pid" 2>/dev/null || break
		if grep -qs 'nmigd: watching' "$1/nmigd.log"; then
			win[restart_s]=$(awk -v a="$t" -v b="$EPOCHREALTIME" \
			    'BEGIN { printf("%.1f", b - a) }')
			break
		fi
		sleep 0.1
	done
	bench_stop "$bench_nmigd_pid"
	bench_nmigd_pid=
}

# settle RD: wait until every domain is complete (its first rounds
# answered and stored: every resolver gives what it expects), at most
# SETTLE_MAX s; how long it took in win[settle_s], "-" if it did not.
# A fresh database takes its first answers slowly, and a window that
# catches them measures start-up, not the steady load.
settle() {
	local t0=$SECONDS n
	win[settle_s]=-
	while [ $((SECONDS - t0)) -lt "$SETTLE_MAX" ]; do
		kill -0 "$bench_nmigd_pid" 2>/dev/null || return 1
		n=$(complete_count "$1/nmigd.sock")
		if [ "${n:-0}" -ge "$D" ]; then
			win[settle_s]=$((SECONDS - t0))
			return 0
		fi
		pause 2
	done
	bench_log "$wl: $D domains not all complete after $SETTLE_MAX s; measuring anyway"
}

# steady_run: run $run of a steady workload in $fx/run$run; its figures
# as KEY=VALUE on one line of $fx/results.
steady_run() {
	local rd=$fx/run$run t_start rate
	win=()
	mkdir -p "$rd" || return 1
	bench_resolvers_conf "$rd/resolvers.conf" "${addrs[@]}"
	baseline_hwm "$rd" || return 1
	bench_nmigd_conf "$rd" "$D" "$I" 2 "$mport" >"$rd/nmigd.conf"
	t_start=$(bench_now_ms)
	bench_nmigd_start "$rd" "$NMIGD_CPU"
	bench_nmigd_ready "$rd" "$mport" 900 || return 1
	bench_log "$wl run $run: nmigd ready after $(( (bench_t_ready - t_start) / 1000 )) s"
	settle "$rd" || { bench_log "nmigd died in its first rounds"; return 1; }
	bench_log "$wl run $run: every domain complete after ${win[settle_s]} s; warm-up $WARM s, window $T s"
	pause "$WARM"
	kill -0 "$bench_nmigd_pid" 2>/dev/null || { bench_log "nmigd died in the warm-up"; return 1; }
	window_open "$rd" || return 1
	pause "$T"
	window_close "$rd" || return 1
	status_thrice "$rd"
	win[ready_s]=$(( (bench_t_ready - t_start) / 100 ))
	bench_stop "$bench_nmigd_pid"
	bench_nmigd_pid=
	win[stop]="$bench_stop_s s, exit $bench_stopped_rc"
	# What nmigd warned of, for the reader: the first of each kind.
	grep -i 'warn\|error\|fail\|cannot\|late\|held' "$rd/nmigd.log" |
	    sed 's/[0-9][0-9]*/N/g' | awk '!seen[$0]++' >"$rd/warnings"
	win[warnings]=$(grep -ci 'warn\|error\|fail\|cannot\|late\|held' "$rd/nmigd.log")
	restart_secs "$rd"
	rate=$(awk -v a="$(probes_done "$rd/m0.txt")" -v b="$(probes_done "$rd/m1.txt")" \
	    -v t0="${win[t0]}" -v t1="${win[t1]}" 'BEGIN { printf("%.0f", (b - a) / (t1 - t0)) }')
	win[dp]="- - -"
	if [ "$rate" -gt 0 ]; then
		dnsperf_run "$rd" "$NMIGD_CPU" "${addrs[0]}" "$fx/queries.txt" \
		    "$DP_WARM" "$DP_T" -Q "$rate"
		win[dp]=$(cat "$rd/dnsperf.res")
	fi
	steady_record "$rd" >>"$fx/results"
}

# steady_record RD: the run's figures from win and the scrapes.
steady_record() {
	awk -v run="$run" -v D="$D" -v R="$R" -v I="$I" -v C="$CHECKS" \
	    -v hz="$BENCH_HZ" -v t0="${win[t0]}" -v t1="${win[t1]}" \
	    -v c0="${win[c0]}" -v c1="${win[c1]}" -v w0="${win[w0]}" \
	    -v w1="${win[w1]}" -v n0="${win[n0]}" -v n1="${win[n1]}" \
	    -v base="$base_kb" -v hwm="${win[hwm]}" -v db0="${win[db0]}" \
	    -v db1="${win[db1]}" -v p0="${win[p0]}" -v p1="${win[p1]}" \
	    -v dp="${win[dp]}" -v stms="${win[status_ms]}" \
	    -v strp="${win[status_reply_ms]}" \
	    -v stb="${win[status_bytes]}" -v msize="$(wc -c <"$1/m1.txt")" \
	    -v ready="${win[ready_s]}" -v restart="${win[restart_s]}" \
	    -v settled="${win[settle_s]}" -v stop="${win[stop]// /_}" \
	    -v warnings="${win[warnings]}" \
	    -v busiest="$(busiest_second "$1/cpu.txt")" \
	    -v done0="$(probes_done "$1/m0.txt")" -v done1="$(probes_done "$1/m1.txt")" \
	    -v to0="$(metric "$1/m0.txt" nmigd_timeouts_total)" \
	    -v to1="$(metric "$1/m1.txt" nmigd_timeouts_total)" '
	BEGIN {
		dt = t1 - t0; n = done1 - done0; cpu = (c1 - c0) / hz
		split(p0, a, " "); split(p1, b, " "); split(dp, d, " ")
		printf("run=%d probes_s=%.0f planned_s=%.0f cpu_pct=%.1f ",
		    run, n / dt, D * R * C / I, 100 * cpu / dt)
		printf("busiest_pct=%s ", busiest)
		printf("ms_1k=%s ", n > 0 ? sprintf("%.2f", cpu * 1e6 / n) : "-")
		printf("dp_qps=%s dp_ms_1k=%s dp_lost=%s ", d[1], d[2], d[3])
		printf("ratio=%s ", n > 0 && d[2] > 0 ? \
		    sprintf("%.2f", cpu * 1e6 / n / d[2]) : "-")
		printf("hwm_kb=%d base_kb=%d rss_b=%.0f ", hwm, base,
		    (hwm - base) * 1024 / (D * R * C))
		printf("wb_probe=%s ", n > 0 ? sprintf("%.1f", (w1 - w0) / n) : "-")
		printf("db0=%d db1=%d db_growth=%d db_pct=%.2f db_hour=%.0f ",
		    db0, db1, db1 - db0, db0 > 0 ? 100 * (db1 - db0) / db0 : 0,
		    (db1 - db0) * 3600 / dt)
		printf("status_ms=%s status_bytes=%s status_reply_ms=%s ",
		    stms, stb, strp)
		printf("metrics_bytes=%d ", msize)
		printf("timeouts=%d late=%d longest=%d nsd_pct=%.1f ",
		    to1 - to0, b[1] - a[1], b[2], 100 * (n1 - n0) / hz / dt)
		printf("ready_s=%.1f settle_s=%s restart_s=%s stop=%s " \
		    "warnings=%d\n", ready / 10, settled, restart, stop, warnings)
	}'
}

# busiest_second FILE: nmigd's highest CPU share in one second of the
# sampler's, in percent.
busiest_second() {
	awk -v hz="$BENCH_HZ" 'NR > 1 && $1 > pt {
		u = 100 * ($2 - pc) / hz / ($1 - pt); if (u > m) m = u }
	{ pt = $1; pc = $2 } END { printf("%.0f\n", m) }' "$1" 2>/dev/null
}

# res KEY: the values of KEY in $fx/results, one a run.
res() {
	sed -n "s/.* $1=\([^ ]*\).*/\1/p; s/^$1=\([^ ]*\).*/\1/p" "$fx/results"
}

# resmed KEY: the median of KEY over the runs, rounded to what a
# reader compares (no decimals from 100 up).
resmed() {
	# shellcheck disable=SC2046
	median $(res "$1") | awk '$1 == "-" { print; next } {
		v = $1 + 0; a = v < 0 ? -v : v
		printf(a >= 100 ? "%.0f\n" : a >= 10 ? "%.1f\n" : "%.2f\n", v) }'
}

# run_line: one run's results, in words.
run_line() {
	awk '{
		for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		st = v["stop"]
		gsub(/_/, " ", st)
		printf("run %s: %s probes/s (planned %s), nmigd %s%% of a core " \
		    "(busiest second %s%%) = %s ms CPU per 1k probes; dnsperf " \
		    "-Q at that rate %s ms per 1k queries (%s%% lost): %sx; peak " \
		    "RSS %.1f MB, %.1f MB empty = %s B per (domain, resolver, " \
		    "check); %s B written per probe; database %.1f -> %.1f MB; " \
		    "status %s ms (the reply %s ms), %s B; /metrics %s B; " \
		    "%s timeouts, %s rounds " \
		    "late, longest round %s s; NSD %s%% of its core; ready after " \
		    "%s s, every domain complete %s s later, stopped in %s, " \
		    "restart %s s; %s warnings logged\n",
		    v["run"], v["probes_s"], v["planned_s"], v["cpu_pct"],
		    v["busiest_pct"], v["ms_1k"], v["dp_ms_1k"], v["dp_lost"],
		    v["ratio"], v["hwm_kb"] / 1024, v["base_kb"] / 1024,
		    v["rss_b"], v["wb_probe"], v["db0"] / 1048576,
		    v["db1"] / 1048576, v["status_ms"], v["status_reply_ms"],
		    v["status_bytes"],
		    v["metrics_bytes"], v["timeouts"], v["late"], v["longest"],
		    v["nsd_pct"], v["ready_s"], v["settle_s"], st,
		    v["restart_s"], v["warnings"])
	}' "$fx/results"
}

# steady NAME D R I WARM T RUNS: a steady workload, its block and row.
steady() {
	wl=$1
	local D=$2 R=$3 I=$4 WARM=$5 T=$6 RUNS=$7 run ok=0 cmd load
	cmd="$(common_env)RUNS=$RUNS D=$D R=$R I=$I WARM=$WARM T=$T DP_T=$DP_T bench/run.sh${PROFILE:+ -p $PROFILE} $wl"
	load=$(printf "%'d x %d x %d every %d s" "$D" "$R" "$CHECKS" "$I")
	out "" "## $wl: $load" "" '```' "\$ $cmd"
	[ "$T" -ge "$I" ] || say "(a window shorter than the interval may catch" \
	    "few rounds or none: its rate is not the load's)"
	fixture "$wl" "$D" "$R" || { out "NSD did not start" '```'; return 1; }
	: >"$fx/results"
	for ((run = 1; run <= RUNS; run++)); do
		if steady_run; then
			ok=$((ok + 1))
		else
			bench_stop "$bench_nmigd_pid"
			bench_nmigd_pid=
			out "run $run failed: $(tail -n 3 "$fx/run$run/nmigd.log" 2>/dev/null | tr '\n' ' ')"
		fi
	done
	bench_nsd_stop "$fx/nsd"
	run_line | tee -a "$outfile"
	for ((run = 1; run <= RUNS; run++)); do
		[ ! -s "$fx/run$run/warnings" ] ||
		    out "run $run logged (the first of each kind, numbers as N):" \
		    "$(head -n 5 "$fx/run$run/warnings" | sed 's/^/  /')"
	done
	[ "$ok" -gt 0 ] || { out '```'; return 1; }
	steady_report "$ok"
	[ "$ok" = "$RUNS" ]
}

# steady_report N: the medians of N runs, the profile, the table's row
# and the targets.
steady_report() {
	local db
	db=$(awk -v a="$(resmed db1)" -v b="$(resmed db_hour)" -v t="$T" \
	    'BEGIN { printf("%.1f MB, %+.1f MB/h (over %d s)", a / 1048576, b / 1048576, t) }')
	say "median of $1: $(resmed probes_s) probes/s; nmigd $(resmed ms_1k) ms" \
	    "CPU per 1k probes, dnsperf $(resmed dp_ms_1k) ms per 1k queries" \
	    "at the same rate: $(resmed ratio)x; $(resmed rss_b) B per" \
	    "(domain, resolver, check) above an empty config; $(resmed wb_probe)" \
	    "B written per probe; database $db; status $(resmed status_ms) ms" \
	    "(the daemon's reply $(resmed status_reply_ms) ms)," \
	    "$(resmed status_bytes) B; /metrics $(resmed metrics_bytes) B"
	[ -z "$PROFILE" ] || [ ! -f "$fx/run1/profile.txt" ] || {
		out "profile of run 1's window ($PROFILE):"
		tee -a "$outfile" <"$fx/run1/profile.txt"
	}
	out '```'
	rows+=("| $wl | $load | $(resmed probes_s) | $(resmed ms_1k) | $(resmed dp_ms_1k) | $(resmed ratio) | $(resmed rss_b) B | $(resmed wb_probe) | $db | status $(resmed status_ms) ms, $(resmed status_bytes) B; /metrics $(resmed metrics_bytes) B |")
	case $wl in
	W1 | W2) targets+=("$wl CPU per 1k probes <= 0.6 x dnsperf's: $(resmed ratio)x: $(ok_if "$(resmed ratio)" '<=' 0.6)") ;;
	esac
	case $wl in
	W2 | W4) targets+=("$wl peak RSS <= 256 B per (domain, resolver, check): $(resmed rss_b) B: $(ok_if "$(resmed rss_b)" '<=' 256)") ;;
	esac
	[ "$wl" != W2 ] ||
	    targets+=("W2 status under 100 ms: $(resmed status_ms) ms: $(ok_if "$(resmed status_ms)" '<' 100)")
	# Flat: what the window added is within 1% of the size (a WAL
	# page or two), judged on the window itself, not on an hour
	# extrapolated from a minute.
	targets+=("$wl database flat while answers do not change: ${db#*, }, $(resmed db_pct)% in the window: $(ok_if "$(resmed db_pct)" '<=' 1)")
}
