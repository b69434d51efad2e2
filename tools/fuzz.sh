#!/bin/sh
# Runs the libFuzzer targets of a build configured with --enable-fuzzing,
# each for a bounded time on a copy of its seed corpus (the tree stays
# clean), with AddressSanitizer, UndefinedBehaviorSanitizer and
# LeakSanitizer findings, timeouts and running out of memory all counted
# as failures.
#
# Usage: tools/fuzz.sh [-t SECONDS] [-B BUILDDIR] [-o OUTDIR] [-j JOBS]
#                      [-k] [-L] [TARGET...]
#   -t SECONDS  how long each target runs (default 60)
#   -B BUILDDIR where the targets were built (default: the current
#               directory if it has tests/fuzz, else the source tree)
#   -o OUTDIR   where each target's corpus, log and reproducers go
#               (default: a new directory in $TMPDIR or /tmp, removed
#               when everything passed)
#   -j JOBS     targets run at the same time (default 1)
#   -k          leave out the committed reproducers of known defects
#               (corpus files named crash-*), to fuzz past them
#   -L          no leak detection, for machines where LeakSanitizer
#               cannot run (it needs ptrace): said in every result line
#   TARGET      fuzz_NAME or NAME (default: every target built)
# Per target it prints the executions, executions per second, the corpus
# size before and after, and the result.  Exit 0 when every target ran
# its time clean, 1 when any found something (its log and reproducer are
# kept and shown), 2 on a usage error.
set -u

srcdir=$(cd "$(dirname "$0")/.." && pwd)
seconds=60
builddir=
outdir=
jobs=1
skip_known=
leaks=1
# Per input, and for the whole process: ASan's shadow memory is not
# counted in the RSS limit, the fuzzer's own corpus and the input are.
input_timeout=${FUZZ_INPUT_TIMEOUT:-20}
rss_limit=${FUZZ_RSS_LIMIT_MB:-2048}

usage() {
	sed -n '8,21p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

while getopts t:B:o:j:kLh opt; do
	case $opt in
	t)	seconds=$OPTARG ;;
	B)	builddir=$OPTARG ;;
	o)	outdir=$OPTARG ;;
	j)	jobs=$OPTARG ;;
	k)	skip_known=1 ;;
	L)	leaks=0 ;;
	*)	usage ;;
	esac
done
shift $((OPTIND - 1))
case $seconds in ''|*[!0-9]*|0) echo "fuzz.sh: -t needs a number of seconds" >&2; exit 2 ;; esac
case $jobs in ''|*[!0-9]*|0) echo "fuzz.sh: -j needs a number" >&2; exit 2 ;; esac

if [ -z "$builddir" ]; then
	if [ -d tests/fuzz ] && [ -f Makefile ]; then
		builddir=$(pwd)
	else
		builddir=$srcdir
	fi
fi
builddir=$(cd "$builddir" && pwd) || exit 2

if [ $# -eq 0 ]; then
	for f in "$builddir"/tests/fuzz/fuzz_*; do
		[ -f "$f" ] && [ -x "$f" ] && set -- "$@" "${f##*/}"
	done
	if [ $# -eq 0 ]; then
		echo "fuzz.sh: no fuzz targets in $builddir/tests/fuzz:" \
		    "./configure --enable-fuzzing && make" >&2
		exit 2
	fi
fi
targets=
for t in "$@"; do
	t=${t##*/}
	t=fuzz_${t#fuzz_}
	if [ ! -x "$builddir/tests/fuzz/$t" ]; then
		echo "fuzz.sh: $builddir/tests/fuzz/$t is not built" >&2
		exit 2
	fi
	targets="$targets $t"
done

keep=
if [ -n "$outdir" ]; then
	mkdir -p "$outdir" || exit 2
	keep=1
else
	outdir=$(mktemp -d "${TMPDIR:-/tmp}/nmigd-fuzz.XXXXXX") || exit 2
fi
outdir=$(cd "$outdir" && pwd)

# Ours come last, so that the caller's ASAN_OPTIONS cannot turn off what
# a run is for; -L is the one way to go without leak detection.  The
# suppressions (tests/fuzz/*.supp) name the few findings inside ldns that
# are accepted, each with its reason.
asan_opts="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=$leaks:fast_unwind_on_malloc=0:symbolize=1:detect_stack_use_after_return=1:strict_string_checks=1:check_initialization_order=1"
ubsan_opts="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}print_stacktrace=1:halt_on_error=1:symbolize=1:suppressions=$srcdir/tests/fuzz/ubsan.supp"
lsan_opts="${LSAN_OPTIONS:+$LSAN_OPTIONS:}suppressions=$srcdir/tests/fuzz/lsan.supp:print_suppressions=0:fast_unwind_on_malloc=0"
if [ -z "${ASAN_SYMBOLIZER_PATH:-}" ] &&
    command -v llvm-symbolizer >/dev/null 2>&1; then
	ASAN_SYMBOLIZER_PATH=$(command -v llvm-symbolizer)
	export ASAN_SYMBOLIZER_PATH
fi

# stat NAME LOG: a number from libFuzzer's final statistics.
stat() {
	sed -n "s/^stat::$1: *\([0-9]*\).*/\1/p" "$2" | tail -n 1
}

# run_target NAME: fuzz one target; writes $outdir/NAME/result.
run_target() {
	name=$1
	short=${name#fuzz_}
	dir=$outdir/$name
	rm -rf "$dir"
	mkdir -p "$dir/corpus" "$dir/artifacts"
	nseed=0
	for f in "$srcdir/tests/fuzz/corpus/$short"/*; do
		[ -f "$f" ] || continue
		case ${f##*/} in crash-*) [ -z "$skip_known" ] || continue ;; esac
		cp "$f" "$dir/corpus/"
		nseed=$((nseed + 1))
	done
	set -- -max_total_time="$seconds" -timeout="$input_timeout" \
	    -rss_limit_mb="$rss_limit" -detect_leaks="$leaks" \
	    -print_final_stats=1 -artifact_prefix="$dir/artifacts/"
	[ -f "$srcdir/tests/fuzz/$short.dict" ] &&
	    set -- "$@" -dict="$srcdir/tests/fuzz/$short.dict"
	start=$(date +%s)
	# The outer timeout only guards against libFuzzer itself hanging.
	ASAN_OPTIONS=$asan_opts UBSAN_OPTIONS=$ubsan_opts LSAN_OPTIONS=$lsan_opts \
	    timeout -s KILL $((seconds * 2 + 300)) \
	    "$builddir/tests/fuzz/$name" "$@" "$dir/corpus" \
	    </dev/null >"$dir/log" 2>&1
	rc=$?
	elapsed=$(( $(date +%s) - start ))
	runs=$(stat number_of_executed_units "$dir/log")
	rate=$(stat average_exec_per_sec "$dir/log")
	ncorpus=$(find "$dir/corpus" -type f | wc -l)
	artifact=$(find "$dir/artifacts" -type f | head -n 1)
	if [ "$rc" = 0 ] && [ -z "$artifact" ]; then
		result=ok
	elif grep -q 'LeakSanitizer has encountered a fatal error' "$dir/log"; then
		result="LeakSanitizer cannot run here (ptrace?): rerun with -L and say so"
	else
		case ${artifact##*/} in
		leak-*)		result=leak ;;
		timeout-*)	result="timeout (> ${input_timeout}s on one input)" ;;
		oom-*)		result="out of memory (> ${rss_limit} MB)" ;;
		crash-*)
			# A target's own check says what broke ("fuzz_config:
			# the printed config does not load") before abort().
			msg=$(grep -m 1 "^$name: " "$dir/log" | cut -c1-200)
			if grep -q 'runtime error:' "$dir/log"; then
				result="undefined behaviour: $(sed -n 's/^\([^ ]*\): runtime error: /\1 /p' "$dir/log" | head -n 1 | cut -c1-120)"
			elif grep -q 'ERROR: AddressSanitizer' "$dir/log"; then
				result="crash: $(sed -n 's/.*ERROR: AddressSanitizer: \([a-z-]*\).*/\1/p' "$dir/log" | head -n 1)"
			elif echo "$msg" | grep -q 'Assertion .* failed'; then
				# glibc: "prog: file:line: function: Assertion `x' failed."
				result="assertion failed: $(echo "$msg" | sed -n "s/^$name: \([^:]*:[0-9]*\): .*Assertion \(.*\) failed.*/\1: \2/p")"
			elif [ -n "$msg" ]; then
				result="abort: ${msg#"$name: "}"
			else
				result="crash: $(sed -n 's/.*ERROR: libFuzzer: \(.*\)/\1/p' "$dir/log" | head -n 1)"
			fi ;;
		'')	result="exit status $rc without a reproducer" ;;
		*)	result="failed (${artifact##*/})" ;;
		esac
		# A committed reproducer of a known defect crashed again.
		if [ -n "$artifact" ]; then
			sum=$(sha1sum <"$artifact" | cut -d' ' -f1)
			for f in "$srcdir/tests/fuzz/corpus/$short"/crash-*; do
				[ -f "$f" ] || continue
				if [ "$(sha1sum <"$f" | cut -d' ' -f1)" = "$sum" ]; then
					result="$result: known, tests/fuzz/corpus/$short/${f##*/}"
					break
				fi
			done
		fi
	fi
	[ "$leaks" = 1 ] || result="$result [leak detection off]"
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "${runs:-0}" \
	    "${rate:-0}" "$nseed" "$ncorpus" "${elapsed}s" "$result" \
	    >"$dir/result"
	printf '%-16s %9s runs %6s exec/s  corpus %s -> %s  %s\n' "$name" \
	    "${runs:-0}" "${rate:-0}" "$nseed" "$ncorpus" "$result"
}

echo "fuzzing${targets} for ${seconds}s each, $jobs at a time, in $outdir"
[ -n "$skip_known" ] && echo "leaving out the committed crash-* reproducers (-k)"
[ "$leaks" = 1 ] ||
    echo "WARNING: leak detection is OFF (-L): leaks are not found in this run"
batch=0
for t in $targets; do
	run_target "$t" &
	batch=$((batch + 1))
	if [ "$batch" -ge "$jobs" ]; then
		wait
		batch=0
	fi
done
wait

failed=0
echo
printf '%-16s %10s %8s %13s %7s  %s\n' target runs exec/s corpus time result
for t in $targets; do
	if [ ! -f "$outdir/$t/result" ]; then
		printf '%-16s did not report\n' "$t"
		failed=1
		continue
	fi
	IFS=$(printf '\t') read -r name runs rate nseed ncorpus elapsed result \
	    <"$outdir/$t/result"
	printf '%-16s %10s %8s %13s %7s  %s\n' "$name" "$runs" "$rate" \
	    "$nseed -> $ncorpus" "$elapsed" "$result"
	case $result in ok|"ok [leak detection off]") continue ;; esac
	failed=1
done

for t in $targets; do
	result=$(cut -f7 "$outdir/$t/result" 2>/dev/null)
	case $result in ok|"ok [leak detection off]") continue ;; esac
	echo
	echo "===== $t: $result"
	echo "----- last lines of $outdir/$t/log"
	grep -v '^#[0-9]' "$outdir/$t/log" | tail -n 60
	for a in "$outdir/$t/artifacts"/*; do
		[ -f "$a" ] || continue
		echo "----- reproducer $a ($(wc -c <"$a") bytes); run it:"
		echo "UBSAN_OPTIONS=$ubsan_opts LSAN_OPTIONS=$lsan_opts $builddir/tests/fuzz/$t $a"
		od -A d -c "$a" | head -n 24
	done
done

if [ "$failed" = 0 ] && [ -z "$keep" ]; then
	rm -rf "$outdir"
elif [ "$failed" != 0 ]; then
	echo
	echo "logs and reproducers kept in $outdir"
fi
exit "$failed"
