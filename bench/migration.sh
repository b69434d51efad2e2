# bench/migration.sh - W5 of bench/run.sh: the resolvers in G groups,
# each served by its own NSD, switched DELAY s apart; how long after the
# last switch each domain's completion event comes, from nmigd's log
# time-stamped as written.  Sourced by bench/run.sh, whose settings, work
# directory and out() and say() it uses.

# mig_servers RD: the G NSDs of a W5 repetition, group g serving the old
# records on its share of the addresses from RD/nsdG; the first address
# of each in RD/nsdG/first.
mig_servers() {
	local g i lo hi
	local -a ga
	for ((g = 0; g < G; g++)); do
		lo=$((g * R / G))
		hi=$(((g + 1) * R / G))
		ga=()
		for ((i = lo; i < hi; i++)); do
			ga+=("${addrs[$i]}")
		done
		mkdir -p "$1/nsd$g" &&
		    bench_zone "$1/nsd$g/zone.db" old 1 &&
		    bench_nsd_conf "$1/nsd$g" "$D" "${ga[@]}" &&
		    bench_nsd_start "$1/nsd$g" "$NSD_CPU" "$D" "${ga[0]}" || return 1
		echo "${ga[0]}" >"$1/nsd$g/first"
	done
}

# mig_switch RD: group g switched at T0 + g x DELAY, the times of each
# switch's SIGHUP and of its NSD first seen answering the new records in
# RD/switches ("G HUP SEEN"); T0 in mig_t0, the last switch's in
# mig_last_hup and mig_last (as seen: what completion is timed from).
mig_switch() {
	local g n sw
	mig_t0=$(bench_now_ms)
	for ((g = 0; g < G; g++)); do
		n=$((mig_t0 + g * DELAY * 1000 - $(bench_now_ms)))
		[ "$n" -le 0 ] || pause "$(awk -v n="$n" 'BEGIN { printf("%.3f", n / 1000) }')"
		sw=$(bench_nsd_switch "$1/nsd$g" "$(cat "$1/nsd$g/first")" "$D") || return 1
		echo "$g $sw" >>"$1/switches"
		mig_last_hup=${sw% *}
		mig_last=${sw#* }
	done
}

# mig_rep REP: one W5 repetition in $fx/repREP: G NSDs with the old
# records, nmigd knowing old and new, the groups switched DELAY s apart;
# each domain's completion after the last switch, ms, added to
# $fx/delays.  1 when it could not be run, 2 when a domain did not
# complete.
mig_rep() {
	local rd=$fx/rep$1 g deadline
	mkdir -p "$rd" && mig_servers "$rd" || return 1
	bench_resolvers_conf "$rd/resolvers.conf" "${addrs[@]}"
	bench_nmigd_conf "$rd" "$D" "$I" 1 "$mport" old >"$rd/nmigd.conf"
	bench_nmigd_start "$rd" "$NMIGD_CPU" stamp
	bench_nmigd_ready "$rd" "$mport" 300 || return 1
	# Every domain has had its first round (spread over a tenth of the
	# interval) and seen the old records everywhere.
	pause $((I + 2))
	mig_switch "$rd" || return 1
	deadline=$((mig_last + 3 * I * 1000 + 5000))
	while [ "$(bench_now_ms)" -lt "$deadline" ] &&
	    [ "$(grep -cs 'DNS switch complete for' "$rd/nmigd.log")" -lt "$D" ]; do
		sleep 0.2
	done
	bench_stop "$bench_nmigd_pid"
	bench_nmigd_pid=
	for ((g = 0; g < G; g++)); do
		bench_nsd_stop "$rd/nsd$g"
	done
	awk -v last="$mig_last" '/DNS switch complete for/ { printf("%.0f\n", $1 * 1000 - last) }' \
	    "$rd/nmigd.log" >"$rd/delays"
	cat "$rd/delays" >>"$fx/delays"
	mig_line "$1" "$rd"
	# Measured, but some domain never completed: 2.
	[ "$(wc -l <"$rd/delays")" = "$D" ] || return 2
}

# mig_line REP RD: a repetition in words.  A completion before the last
# SIGHUP would be nmigd's error; one between it and the poll's answer is
# the poll's lateness.
mig_line() {
	out "$(awk -v t0="$mig_t0" -v rep="$1" -v D="$D" -v f="$2/delays" \
	    -v hup="$((mig_last_hup - mig_last))" '
	{ s = s sprintf(" g%d +%.2fs (HUP +%.2fs)", $1, ($3 - t0) / 1000,
	    ($2 - t0) / 1000) }
	END {
		while ((getline v < f) > 0) {
			n++
			if (v < hup) early++
			else if (v < 0) poll++
		}
		printf("rep %d: switched, as seen by polling NSD,%s; %d of %d " \
		    "domains complete", rep, s, n, D)
		if (early) printf(", %d BEFORE the last SIGHUP", early)
		if (poll) printf(", %d between the last SIGHUP and the poll seeing it", poll)
	}' "$2/switches"), after the last switch: p50 $(percentile 50 <"$2/delays") ms, max $(percentile 100 <"$2/delays") ms"
}

# W5: REPS repetitions, fresh servers and database each.
migration() {
	wl=W5
	# The environment's values are read before the locals hide them.
	local D=$(param D 1000) R=$(param R 20) G=$(param G 4) \
	    DELAY=$(param DELAY 15) REPS=$(param REPS 10) I=$(param I 10)
	local cmd rep ok=0 p50 max g
	[ "$G" -ge 1 ] && [ "$R" -ge "$G" ] || { out "W5: R must be at least G"; return 1; }
	cmd="$(common_env)REPS=$REPS D=$D R=$R G=$G DELAY=$DELAY I=$I bench/run.sh W5"
	out "" "## W5: migration, $(printf "%'d x %d" "$D" "$R") in $G groups switched $DELAY s apart, interval $I s, confirm 1" "" '```' "\$ $cmd"
	fx=$work/W5
	addrs=()
	for ((rep = 0; rep < R; rep++)); do
		addrs+=("$(bench_addr "$rep")")
	done
	mkdir -p "$fx" && : >"$fx/delays"
	for ((rep = 1; rep <= REPS; rep++)); do
		mig_rep "$rep"
		case $? in
		0) ok=$((ok + 1)) ;;
		2) ;;
		*)
			out "rep $rep failed: $(tail -n 2 "$fx/rep$rep/nmigd.log" 2>/dev/null | tr '\n' ' ')"
			bench_stop "$bench_nmigd_pid"
			bench_nmigd_pid=
			for ((g = 0; g < G; g++)); do
				bench_nsd_stop "$fx/rep$rep/nsd$g"
			done
			;;
		esac
	done
	p50=$(percentile 50 <"$fx/delays")
	max=$(percentile 100 <"$fx/delays")
	say "all $REPS: $(wc -l <"$fx/delays") completions, after the last switch" \
	    "p50 $p50 ms, max $max ms (target: interval + 100 ms = $((I * 1000 + 100)) ms)"
	out '```'
	rows+=("| W5 | $(printf "%'d x %d" "$D" "$R"), G=$G, switches $DELAY s apart, interval $I s, $REPS repetitions | - | - | - | - | - | - | - | completion after the last switch: p50 $p50 ms, max $max ms |")
	targets+=("W5 completion at most interval + 100 ms after the last switch: max $max ms: $(ok_if "$max" '<=' $((I * 1000 + 100)))")
	[ "$ok" = "$REPS" ]
}
