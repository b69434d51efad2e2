# tests/tap.sh - "ok" / "not ok" lines and their counts, shared by the
# scenario tests that report every check instead of stopping at the first.
# Source it; the script ends with: echo "$npass passed, $nfail failed".
npass=0
nfail=0

ok() {
	npass=$((npass + 1))
	echo "ok - $*"
}

not_ok() {
	nfail=$((nfail + 1))
	echo "not ok - $*"
}

# check DESCRIPTION COMMAND...: ok when COMMAND succeeds.
check() {
	local what=$1
	shift
	if "$@"; then ok "$what"; else not_ok "$what"; fi
}
