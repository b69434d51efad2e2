# bench/saturation.sh - W3 of bench/run.sh: the highest probe rate nmigd
# sustains, found by reloading one settled nmigd at shorter or longer
# intervals, next to dnsperf -q 500 against the same NSD.  Sourced by
# bench/run.sh, whose settings, work directory and out(), say(), param(),
# fixture(), profile_begin() and profile_end() it uses, and settle() of
# bench/steady.sh.

# sat_start: nmigd for run $run of W3 in $sd at the interval START,
# its first rounds stored.
sat_start() {
	sd=$fx/run$run
	cur=$START
	win=()
	mkdir -p "$sd" || return 1
	bench_resolvers_conf "$sd/resolvers.conf" "${addrs[@]}"
	bench_nmigd_conf "$sd" "$D" "$cur" 2 "$mport" >"$sd/nmigd.conf"
	bench_nmigd_start "$sd" "$NMIGD_CPU"
	bench_nmigd_ready "$sd" "$mport" 900 && settle "$sd" || return 1
	out "every domain complete after ${win[settle_s]} s at interval $cur s"
}

# sat_interval I: the running nmigd's interval set to I by a reload (its
# rounds are then started again within a tenth of it).
sat_interval() {
	local n i
	sed -i "s/^interval .*/interval  = ${1}s/" "$sd/nmigd.conf" || return 1
	n=$(grep -c 'reloaded: watching' "$sd/nmigd.log")
	"$NMIGD_CTL" -s "$sd/nmigd.sock" reload >/dev/null || return 1
	for ((i = 0; i < 1200; i++)); do
		[ "$(grep -c 'reloaded: watching' "$sd/nmigd.log")" -gt "$n" ] &&
		    { cur=$1; return 0; }
		sleep 0.1
	done
	bench_log "the reload to interval $1 s did not finish"
	return 1
}

# sat_step I: one step of W3 at interval I, its files in $sd/iI: its line
# out, and "I ANSWERED_S SUSTAINED(0/1) PLANNED_S" added to $fx/steps.
sat_step() {
	local i=$1 rd=$sd/i$1 win_s p0 p1 c0 c1 t0 t1
	win_s=$((i > T ? i : T))
	mkdir -p "$rd" || return 1
	[ "$i" = "$cur" ] || sat_interval "$i" || return 1
	pause $((i + WARM))
	scrape "$mport" "$rd/m0.txt" || return 1
	p0=$(pacing "$sd/nmigd.sock")
	c0=$(cpu_ticks "$bench_nmigd_pid")
	t0=$EPOCHREALTIME
	profile_begin "$rd"
	pause "$win_s"
	c1=$(cpu_ticks "$bench_nmigd_pid")
	t1=$EPOCHREALTIME
	profile_end "$rd"
	scrape "$mport" "$rd/m1.txt" || return 1
	p1=$(pacing "$sd/nmigd.sock")
	out "$(awk -v I="$i" -v D="$D" -v R="$R" -v C="$CHECKS" -v hz="$BENCH_HZ" \
	    -v t0="$t0" -v t1="$t1" -v c0="$c0" -v c1="$c1" -v p0="$p0" -v p1="$p1" \
	    -v a0="$(metric "$rd/m0.txt" nmigd_answers_total)" \
	    -v a1="$(metric "$rd/m1.txt" nmigd_answers_total)" \
	    -v d0="$(probes_done "$rd/m0.txt")" -v d1="$(probes_done "$rd/m1.txt")" \
	    -v to0="$(metric "$rd/m0.txt" nmigd_timeouts_total)" \
	    -v to1="$(metric "$rd/m1.txt" nmigd_timeouts_total)" \
	    -v steps="$fx/steps" '
	BEGIN {
		dt = t1 - t0; planned = D * R * C / I; ans = (a1 - a0) / dt
		n = d1 - d0; to = n > 0 ? (to1 - to0) / n : 1
		split(p0, a, " "); split(p1, b, " ")
		late = b[1] - a[1]; longest = b[2]
		ok = ans >= 0.999 * planned && to < 0.001 && late == 0 &&
		    longest < I * 1.1
		printf("interval %3d s: planned %6.0f/s, answered %6.0f/s " \
		    "(%.1f%%), timeouts %.3f%%, rounds late +%d, longest round " \
		    "%d s, nmigd %.0f%% of a core: %s\n", I, planned, ans,
		    100 * ans / planned, 100 * to, late, longest,
		    100 * (c1 - c0) / hz / dt, ok ? "sustained" : "NOT sustained")
		printf("%d %.0f %d %.0f\n", I, ans, ok, planned) >> steps
	}')"
}

# sat_ok: whether the last step was sustained.
sat_ok() {
	[ "$(tail -n 1 "$fx/steps" | awk '{ print $3 }')" = 1 ]
}

# sat_search: the step search of one W3 run, one nmigd reloaded at each
# interval of STEPS from START on: to shorter ones while they are
# sustained, to longer ones while they are not; then one step halfway
# between the longest not sustained and the shortest sustained.  The
# highest planned rate sustained and its interval go to $fx/best (or
# nothing): what was answered in one window is noisier, rounds coming
# in bursts.
sat_search() {
	local k lo='' hi='' mid sd cur steps
	read -ra steps <<<"$STEPS"
	: >"$fx/steps"
	: >"$fx/best"
	for ((k = 0; k < ${#steps[@]}; k++)); do
		[ "${steps[k]}" = "$START" ] && break
	done
	if ! sat_start; then
		out "nmigd did not settle: $(tail -n 2 "$sd/nmigd.log" 2>/dev/null | tr '\n' ' ')"
		bench_stop "$bench_nmigd_pid"
		bench_nmigd_pid=
		return 1
	fi
	sat_step "$START" || { out "interval $START s: failed"; k=-1; }
	if [ "$k" -ge 0 ] && sat_ok; then
		lo=$START
		for ((k++; k < ${#steps[@]}; k++)); do
			sat_step "${steps[k]}" || break
			sat_ok || { hi=${steps[k]}; break; }
			lo=${steps[k]}
		done
	elif [ "$k" -ge 0 ]; then
		hi=$START
		for ((k--; k >= 0; k--)); do
			sat_step "${steps[k]}" || break
			sat_ok && { lo=${steps[k]}; break; }
			hi=${steps[k]}
		done
	fi
	if [ -n "$lo" ] && [ -n "$hi" ] && [ $((lo - hi)) -ge 2 ]; then
		mid=$(( (lo + hi) / 2 ))
		sat_step "$mid" || out "interval $mid s: failed"
	fi
	bench_stop "$bench_nmigd_pid"
	bench_nmigd_pid=
	awk '$3 == 1 && $4 > best { best = $4; i = $1 }
	    END { if (best) print best, i }' "$fx/steps" >"$fx/best"
}

# W3: dnsperf -q 500 DP_RUNS times against the same NSD, then the step
# search RUNS times.
saturation() {
	wl=W3
	# The environment's values are read before the locals hide them.
	local D=$(param D 10000) R=$(param R 50) RUNS=$(param RUNS 1) \
	    STEPS=$(param STEPS "300 180 120 90 60 40 30 24 20 15 12 10 9 8 7 6 5") \
	    START=$(param START 60) WARM=$(param WARM 10) T=$(param T 20)
	local cmd k run dps=() r best=() ratio bi
	[[ " $STEPS " == *" $START "* ]] || { out "W3: START must be one of STEPS"; return 1; }
	cmd="$(common_env)RUNS=$RUNS D=$D R=$R STEPS=\"$STEPS\" START=$START WARM=$WARM T=$T DP_RUNS=$DP_RUNS DP_T=$DP_T bench/run.sh${PROFILE:+ -p $PROFILE} W3"
	out "" "## W3: saturation, $(printf "%'d x %d x %d" "$D" "$R" "$CHECKS"), the interval shrunk" "" '```' "\$ $cmd"
	say "one nmigd a run, its first rounds stored, then reloaded at each" \
	    "interval; sustained: answered >= 99.9% of planned (D x R x $CHECKS /" \
	    "interval), timeouts < 0.1%, no round late and the longest < 1.1 x" \
	    "interval over a window of max(interval, $T s) after interval + $WARM s"
	fixture W3 "$D" "$R" || { out "NSD did not start" '```'; return 1; }
	for ((k = 1; k <= DP_RUNS; k++)); do
		mkdir -p "$fx/dp$k"
		dnsperf_run "$fx/dp$k" "$NMIGD_CPU" "${addrs[0]}" \
		    "$fx/queries.txt" "$DP_WARM" "$DP_T" -q 500
		r=$(cat "$fx/dp$k/dnsperf.res")
		out "dnsperf -q 500, run $k: ${r%% *} queries/s, $(echo "$r" | awk '{ print $2 }') ms CPU per 1k, $(echo "$r" | awk '{ print $3 }')% lost"
		dps+=("${r%% *}")
	done
	for ((run = 1; run <= RUNS; run++)); do
		out "nmigd, run $run:"
		sat_search
		bi=$(cat "$fx/best")
		best+=("${bi%% *}")
		[ -z "$PROFILE" ] || [ -z "$bi" ] || [ ! -f "$fx/run$run/i${bi#* }/profile.txt" ] || {
			out "profile at interval ${bi#* } s ($PROFILE):"
			tee -a "$outfile" <"$fx/run$run/i${bi#* }/profile.txt"
		}
	done
	bench_nsd_stop "$fx/nsd"
	ratio=$(awk -v a="$(median "${best[@]}")" -v b="$(median "${dps[@]}")" \
	    'BEGIN { if (a == "-" || b == "-" || b == 0) print "-"; else printf("%.2f", a / b) }')
	say "median: nmigd sustains $(median "${best[@]}") probes/s," \
	    "dnsperf -q 500 $(median "${dps[@]}") queries/s: ${ratio}x"
	out '```'
	rows+=("| W3 | $(printf "%'d x %d x %d" "$D" "$R" "$CHECKS"), interval shrunk | $(median "${best[@]}") sustained | - | - | - | - | - | - | dnsperf -q 500: $(median "${dps[@]}") q/s; nmigd/dnsperf ${ratio}x |")
	targets+=("W3 sustained rate >= 0.8 x dnsperf -q 500: ${ratio}x: $(ok_if "$ratio" '>=' 0.8)")
	[ -n "$(median "${best[@]}")" ] && [ "$(median "${best[@]}")" != - ]
}
