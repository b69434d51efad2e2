#!/bin/bash
# ctl.sh - nmigd-ctl without nmigd: usage errors and exit codes, "daemon
# not reachable", the text formatters against golden files, --json, wait,
# and a broken daemon (no reply, garbage, endless or hanging replies).
# tests/ctl/fakectl plays the control socket with the canned replies in
# tests/ctl/data.  Exit 0 pass, 1 fail.
#
# Regenerate a golden file after an intended change of the output with e.g.
#	fakectl S D & ; nmigd-ctl -s S status > tests/ctl/data/status.golden
# and read the diff before committing it.  To look for leaks, run it with
#	CTL_WRAPPER="valgrind -q --leak-check=full --error-exitcode=99"

here=$(cd "$(dirname "$0")" && pwd)
: "${top_srcdir:=$here/../..}"
: "${top_builddir:=$top_srcdir}"
. "$top_srcdir/tests/tap.sh"
CTL=$top_builddir/nmigd-ctl
FAKECTL=$top_builddir/tests/ctl/fakectl
DATA=$top_srcdir/tests/ctl/data

for p in "$CTL" "$FAKECTL"; do
	[ -x "$p" ] || { echo "not ok - $p not built"; exit 1; }
done

# Colours only on a terminal: keep them out unless a test asks.
unset NO_COLOR NMIGD_CTL_POLL_MS NMIGD_CTL_TIMEOUT_MS

dir=$(mktemp -d /tmp/ctltest.XXXXXX) || exit 1
fake_pid=

cleanup() {
	fake_stop
	rm -rf "$dir"
}
trap cleanup EXIT

# run ARGS...: nmigd-ctl with stdout, stderr and the exit status in
# $out, $err and $rc.
run() {
	$CTL_WRAPPER "$CTL" "$@" >"$dir/out" 2>"$dir/err"
	rc=$?
	out=$(cat "$dir/out")
	err=$(cat "$dir/err")
}

# expect_rc DESCRIPTION WANT
expect_rc() {
	if [ "$rc" = "$2" ]; then
		ok "$1: exit $2"
	else
		not_ok "$1: exit $rc, want $2 (stderr: $err)"
	fi
}

# expect_in DESCRIPTION WHICH TEXT: $out or $err contains TEXT.
expect_in() {
	local v
	if [ "$2" = out ]; then v=$out; else v=$err; fi
	case $v in
	*"$3"*)	ok "$1: $2 has \"$3\"" ;;
	*)	not_ok "$1: $2 lacks \"$3\": \"$v\"" ;;
	esac
}

# expect_eq DESCRIPTION WANT GOT
expect_eq() {
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		not_ok "$1: want \"$2\", got \"$3\""
	fi
}

# expect_file DESCRIPTION FILE: stdout is FILE, byte for byte.
expect_file() {
	if cmp -s "$2" "$dir/out"; then
		ok "$1"
	else
		not_ok "$1: differs from $2:"
		diff -u "$2" "$dir/out" | head -40
	fi
}

# fake_start FILE=REPLY...: a fake daemon at $sock whose reply files
# (fakectl's naming, e.g. status.json or status.2.json) are copies of
# the data files named.
fake_start() {
	local a i
	fake_stop
	rm -rf "$dir/d"
	mkdir "$dir/d"
	for a in "$@"; do
		cp "$DATA/${a#*=}" "$dir/d/${a%%=*}"
	done
	sock=$dir/sock
	"$FAKECTL" "$sock" "$dir/d" &
	fake_pid=$!
	for i in $(seq 100); do
		[ -e "$dir/d/ready" ] && return 0
		sleep 0.05
	done
	echo "not ok - fakectl did not start"
	exit 1
}

fake_stop() {
	if [ -n "$fake_pid" ]; then
		kill "$fake_pid" 2>/dev/null
		wait "$fake_pid" 2>/dev/null
		fake_pid=
	fi
}

# The requests the fake daemon got, one JSON line each.
requests() {
	cat "$dir/d/requests" 2>/dev/null
}

## Usage errors: exit 2 before any connection, usage on stderr.
none=$dir/nothing-here.sock

run
expect_rc "no command" 2
expect_in "no command" err "usage: nmigd-ctl"
expect_eq "no command: nothing on stdout" "" "$out"
run -s "$none" frob
expect_rc "unknown command" 2
expect_in "unknown command" err "unknown command: frob"
run -s "$none" status a.example b.example
expect_rc "status with two domains" 2
expect_in "status with two domains" err "usage: nmigd-ctl status [DOMAIN | [--state STATE] [--limit N]]"
run -s "$none" history
expect_rc "history without a domain" 2
expect_in "history without a domain" err "usage: nmigd-ctl history DOMAIN [RESOLVER]"
run -s "$none" resolvers extra
expect_rc "resolvers with an argument" 2
run -s "$none" reload now
expect_rc "reload with an argument" 2
run -s "$none" status 'bad..name'
expect_rc "status of a bad name" 2
expect_in "status of a bad name" err "not a domain name: bad..name"
run -s "$none" wait
expect_rc "wait without a domain" 2
run -s "$none" wait example.co.jp --timeout 5x
expect_rc "wait --timeout 5x" 2
expect_in "wait --timeout 5x" err "--timeout: not a duration"
run -s "$none" wait example.co.jp --timeout
expect_rc "wait --timeout without a value" 2
run -s "$none" events --since yesterday
expect_rc "events --since yesterday" 2
expect_in "events --since yesterday" err "--since: not a time"
run -s "$none" events --since 2026-02-31T00:00:00Z
expect_rc "events --since 31 February" 2
run -s "$none" events --since 2026-11-27T00:00:00+9:00
expect_rc "events --since with a short offset" 2
run -s "$none" status --frob
expect_rc "unknown command option" 2
expect_in "unknown command option" err "unknown option: --frob"
run -s "$none" events --timeout 1m
expect_rc "another command's option" 2
run -x status
expect_rc "unknown global option" 2
NMIGD_CTL_POLL_MS=soon run -s "$none" status
expect_rc "NMIGD_CTL_POLL_MS=soon" 2

run -h
expect_rc "-h" 0
for c in status resolvers history events check reload wait; do
	expect_in "-h" out "  $c"
done
expect_in "-h" out "exit status"
run --help
expect_rc "--help" 0
run -V
expect_rc "-V" 0
expect_in "-V" out "nmigd-ctl "

## A file that is not a socket: said so.
: >"$dir/plain"
run -s "$dir/plain" status
expect_rc "a plain file as the socket" 3
expect_in "a plain file as the socket" err "it is not a socket"

## nmigd -t on a config that watches nothing: a warning, the counts.
mkdir -p "$dir/cf"
echo "r1 127.0.0.1" >"$dir/cf/resolvers.conf"
printf '[nmigd]\ndatabase = %s\ncontrol = %s\nresolvers = %s\ninclude = none\n' \
    "$dir/cf/missing/nmigd.db" "$dir/cf/s.sock" "$dir/cf/resolvers.conf" \
    >"$dir/cf/nmigd.conf"
"$top_builddir/nmigd" -t -c "$dir/cf/nmigd.conf" >"$dir/out" 2>"$dir/err"
rc=$? out=$(cat "$dir/out") err=$(cat "$dir/err")
expect_rc "nmigd -t, no domain" 0
expect_in "nmigd -t, no domain" err "warning: no domain is watched: add a [domain NAME] section to $dir/cf/nmigd.conf"
expect_in "nmigd -t, no domain" err "configuration OK: 0 domains, 1 resolver"
## An unquoted TXT value with a space: several strings, and said so.
{ cat "$dir/cf/nmigd.conf"
  printf '[domain example.co.jp]\nns = ns.example.net\nmx = none\nrecord = @ TXT v=spf1 -all\n'
} >"$dir/cf/txt.conf"
"$top_builddir/nmigd" -t -c "$dir/cf/txt.conf" >"$dir/out" 2>"$dir/err"
rc=$? out=$(cat "$dir/out") err=$(cat "$dir/err")
expect_rc "nmigd -t, unquoted TXT" 0
expect_in "nmigd -t, unquoted TXT" err \
    "$dir/cf/txt.conf:9: warning: record: v=spf1 -all is several strings, split at the spaces outside double quotes; to watch one string, write it all in double quotes"
expect_in "nmigd -t, unquoted TXT" err "configuration OK: 1 domain, 1 resolver"
## ... and started, a database directory that is not there is named.
"$top_builddir/nmigd" -c "$dir/cf/nmigd.conf" >"$dir/out" 2>"$dir/err"
rc=$? out=$(cat "$dir/out") err=$(cat "$dir/err")
expect_rc "nmigd, database directory missing" 2
expect_in "nmigd, database directory missing" err \
    "the directory $dir/cf/missing does not exist (the systemd service creates /var/lib/nmigd"

## A misspelt command: the one it was meant to be.
run stauts
expect_rc "stauts" 2
expect_eq "stauts: did you mean" \
    "nmigd-ctl: unknown command: stauts (did you mean status?)" "$err"

## The daemon's own usage: asked for, on stdout with exit 0; a wrong
## option, on stderr with exit 2.
for h in -h --help; do
	"$top_builddir/nmigd" $h >"$dir/out" 2>"$dir/err"
	rc=$? out=$(cat "$dir/out") err=$(cat "$dir/err")
	expect_rc "nmigd $h" 0
	expect_in "nmigd $h" out "usage: nmigd "
	expect_eq "nmigd $h: nothing on stderr" "" "$err"
done
"$top_builddir/nmigd" --no-such-option >"$dir/out" 2>"$dir/err"
rc=$? out=$(cat "$dir/out") err=$(cat "$dir/err")
expect_rc "nmigd --no-such-option" 2
expect_in "nmigd --no-such-option" err "usage: nmigd "
expect_eq "nmigd --no-such-option: nothing on stdout" "" "$out"

## Daemon not reachable: exit 3, the socket path in the message.
run -s "$none" status
expect_rc "no socket" 3
expect_eq "no socket: message" \
    "nmigd-ctl: cannot connect to $none: No such file or directory (is nmigd running?)" \
    "$err"
run -s "$dir/$(printf 'x%.0s' $(seq 120))" status
expect_rc "socket path too long" 3
expect_in "socket path too long" err "File name too long"

# A relative "control" is relative to the config's directory.
mkdir "$dir/etc"
printf '[nmigd]\ncontrol = ctl.sock\n' >"$dir/etc/nmigd.conf"
run -c "$dir/etc/nmigd.conf" status
expect_rc "socket from the config" 3
expect_eq "socket from the config: message" \
    "nmigd-ctl: cannot connect to $dir/etc/ctl.sock: No such file or directory (is nmigd running?)" \
    "$err"

# A broken config is one warning, then the default socket.
printf '[nmigd]\ncontrol = ctl.sock\nfrob = 1\n' >"$dir/etc/bad.conf"
run -c "$dir/etc/bad.conf" status
expect_in "broken config" err "warning: $dir/etc/bad.conf:3:"
expect_in "broken config" err "using /run/nmigd/nmigd.sock"
if [ ! -e /run/nmigd/nmigd.sock ]; then
	expect_rc "broken config" 3
	expect_in "broken config" err "cannot connect to /run/nmigd/nmigd.sock"
fi
run -c "$dir/etc/missing.conf" -s "$none" status
expect_rc "missing config, -s given" 3
expect_eq "missing config, -s given: no warning" 1 "$(wc -l <"$dir/err")"

# A socket file left behind by a daemon that died.
fake_start
fake_stop
run -s "$sock" status
expect_rc "stale socket" 3
expect_in "stale socket" err "cannot connect to $sock: Connection refused (is nmigd running?)"

## Text formatters (not a terminal: no colours) and --json.
fake_start status.json=status.json resolvers.json=resolvers.json \
    history.json=history.json events.json=events.json check.json=check.json \
    reload.json=reload.json
run -s "$sock" -v status
expect_rc "status -v" 0
expect_file "status -v: every answer on a line" "$DATA/status.golden"
run -s "$sock" status -v
expect_file "status -v after the command" "$DATA/status.golden"
run -s "$sock" status
expect_rc "status" 0
expect_file "status: a line a domain" "$DATA/status-list.golden"
run -s "$sock" status example.co.jp
expect_rc "status DOMAIN" 0
expect_file "status DOMAIN: the grid" "$DATA/status-grid.golden"
run -s "$sock" --raw --noheadings -o state,domain,new status
expect_rc "status --raw --noheadings -o" 0
expect_eq "status --raw --noheadings -o: those columns, in that order" \
    "propagating example.co.jp 1/3
complete example.com 1/1" "$out"
run -s "$sock" -o resolver,nope status example.co.jp
expect_rc "status -o with a column it lacks" 2
expect_in "status -o with a column it lacks" err "no column nope (the columns are: RESOLVER,LOCATION,STATE,@ NS,@ MX,pop A)"
expect_eq "status -o with a column it lacks: nothing printed" "" "$out"
run -s "$sock" -o state,STATE status
expect_rc "status -o with a column twice" 2
run -s "$sock" -o , status
expect_rc "status -o with no column" 2
run -s "$sock" --json status
expect_rc "status --json" 0
expect_file "status --json is the reply as received" "$DATA/status.json"
run -s "$sock" status --json
expect_file "--json after the command" "$DATA/status.json"
run -s "$sock" resolvers
expect_rc "resolvers" 0
expect_file "resolvers table" "$DATA/resolvers.golden"
# An older nmigd ignores --state and --limit: no "matched" in its reply.
run -s "$sock" status --state complete
expect_rc "status --state against a daemon that ignores it" 1
expect_in "status --state against a daemon that ignores it: says so" err \
    "this nmigd is older and ignores --state and --limit"

## watch: the status again every interval until SIGINT, then exit 0; on
## a terminal redrawn in place (home, each line cleared to its end, the
## rest of the screen cleared), never the whole screen cleared again.
timeout --preserve-status -s INT 2.5 "$CTL" -s "$sock" watch --interval 1s \
    >"$dir/out" 2>"$dir/err"
rc=$? out=$(cat "$dir/out") err=$(cat "$dir/err")
expect_rc "watch, interrupted" 0
n=$(grep -c "^every 1s: nmigd-ctl status " "$dir/out")
# 3 in 2.5 s, 2 on a slow machine.
expect_eq "watch: a view a second ($n)" yes "$([ "$n" -ge 2 ] && echo yes)"
expect_eq "watch: each view the status" "$n" "$(grep -c '^DOMAIN  ' "$dir/out")"
if command -v script >/dev/null; then
	timeout --preserve-status -s INT 2.5 script -qfec \
	    "'$CTL' -s '$sock' watch example.com --interval=1s" /dev/null \
	    >"$dir/tty" 2>&1
	expect_eq "watch on a terminal: the screen cleared once" 1 \
	    "$(grep -o $'\033\\[2J' "$dir/tty" | wc -l)"
	n=$(grep -o $'\033\\[H' "$dir/tty" | wc -l)
	expect_eq "watch on a terminal: redrawn from home ($n times)" yes \
	    "$([ "$n" -ge 2 ] && echo yes)"
	case $(cat "$dir/tty") in
	*$'\033[K'*) ok "watch on a terminal: lines cleared to their end" ;;
	*) not_ok "watch on a terminal: no line cleared to its end" ;;
	esac
fi
run -s "$sock" watch --interval 0
expect_rc "watch --interval 0" 2

## A domain watching 70 records: a column each, nothing written past
## the table (it once had room for 64).
jq -c '.domains |= [.[0] | .resolvers |= map(.records |=
    [range(70) as $i | .[2] | .owner = "r\($i).example.co.jp."])]' \
    "$DATA/status.json" >"$dir/wide-records.json"
fake_stop
fake_start
cp "$dir/wide-records.json" "$dir/d/status.json"
run -s "$sock" status example.co.jp
expect_rc "status DOMAIN with 70 records" 0
expect_eq "status DOMAIN with 70 records: a column each" 70 \
    "$(grep '^RESOLVER' "$dir/out" | grep -oE 'r[0-9]+ A' | wc -l)"

## The list asks for rows of the columns it prints ("columns", and
## "summary" for a daemon that does not know them); rows print as the
## summaries do.
fake_stop
fake_start status.json=status.json
: >"$dir/d/requests"
run -s "$sock" status
expect_eq "status: asks for the summaries and the list's columns" \
    '{"command":"status","summary":true,"columns":["domain_unicode","state","resolvers_new","resolvers_total","parent.state","complete_at","expected_complete_at","since"],"epoch":true}' \
    "$(requests)"
cols=$(requests | jq -c .columns)
# as_rows FILE [epoch]: the reply FILE with its domains as rows of those
# columns, in another order than asked (nmigd always has domain_unicode,
# the domain when it is no IDN; these files may lack it), their times as
# text as a daemon before "epoch" writes them, or as numbers.
as_rows() {
	jq -c --argjson c "$(jq -c reverse <<<"$cols")" \
	    --argjson epoch "$([ "${2-}" = epoch ] && echo true || echo false)" \
	    'del(.domains) +
	    {columns: $c, rows: [.domains[] as $d | [$c[] |
	    if . == "parent.state" then $d.parent.state
	    elif . == "domain_unicode" then $d.domain_unicode // $d.domain
	    elif $epoch and (. | test("_at$|^since$")) and $d[.] != null
	    then $d[.] | fromdateiso8601
	    else $d[.] end]]}' "$1"
}
# A domain whose parent switched, expected complete in 25 minutes, and a
# page of a longer list.
jq -c '.domains[0].parent = {"state": "new"} |
    .domains[0].expected_complete_at = "2026-11-27T22:25:00Z" |
    .matched = 5' "$DATA/status.json" >"$dir/paged.json"
for f in "$DATA/status.json" "$DATA/status-odd.json" "$dir/paged.json"; do
	for opts in "" "-r -n" "-o new,domain"; do
		cp "$f" "$dir/d/status.json"
		# shellcheck disable=SC2086
		LC_ALL=C.UTF-8 run -s "$sock" $opts status
		cp "$dir/out" "$dir/from-objects"
		as_rows "$f" >"$dir/d/status.json"
		# shellcheck disable=SC2086
		LC_ALL=C.UTF-8 run -s "$sock" $opts status
		expect_file "status $opts from rows: as from summaries ($(basename "$f"))" \
		    "$dir/from-objects"
		as_rows "$f" epoch >"$dir/d/status.json"
		# shellcheck disable=SC2086
		LC_ALL=C.UTF-8 run -s "$sock" $opts status
		expect_file "status $opts from rows, times as numbers: as from summaries ($(basename "$f"))" \
		    "$dir/from-objects"
	done
done
run -s "$sock" status
expect_in "status from rows: the relative expected time" out \
    "2026-11-27T22:25:00Z (in 25m00s)"
expect_in "status from rows: how many were shown" out \
    "2 of 5 domains shown (--limit)"

## Wide characters (Japanese names and locations, an IDN) line up by
## display width, not by bytes or characters.
fake_stop
fake_start status.json=status-wide.json
LC_ALL=C.UTF-8 run -s "$sock" status
expect_file "status: wide characters aligned" "$DATA/status-wide-list.golden"
LC_ALL=C.UTF-8 run -s "$sock" status xn--r8jz45g.jp
expect_file "status DOMAIN: wide characters aligned" "$DATA/status-wide-grid.golden"

## Text a terminal may not show as it is, printed as util-linux's tools
## print it: a zero-width space takes no column (alone, the cell is
## empty), a combining accent none, a line separator is \xNN, so is the
## backslash of a "\x" in the text; control characters (tab, C1, DEL)
## are '?'.  --raw escapes blanks, backslashes and every byte that is
## not ASCII.
fake_stop
fake_start status.json=status-odd.json
LC_ALL=C.UTF-8 run -s "$sock" status
expect_file "status: odd characters" "$DATA/status-odd-list.golden"
LC_ALL=C.UTF-8 run -s "$sock" status xn--r8jz45g.jp
expect_file "status DOMAIN: odd characters" "$DATA/status-odd-grid.golden"
LC_ALL=C.UTF-8 run -s "$sock" --raw --noheadings status
expect_file "status --raw --noheadings: odd characters" \
    "$DATA/status-odd-raw-list.golden"
LC_ALL=C.UTF-8 run -s "$sock" --raw status xn--r8jz45g.jp
expect_file "status DOMAIN --raw: odd characters" \
    "$DATA/status-odd-raw-grid.golden"
fake_stop
fake_start status.json=status.json resolvers.json=resolvers.json \
    history.json=history.json events.json=events.json check.json=check.json \
    reload.json=reload.json

## Bash completion (ctl/completion/nmigd-ctl): commands, options, and the
## daemon's domains and resolvers through the socket of the command line.
# comp CWORD WORD...: the completions, one a line, sorted.
comp() {
	local cword=$1
	shift
	PATH=$top_builddir:$PATH bash -c '. "$0"; COMP_WORDS=("$@");
	    COMP_CWORD='"$cword"'; _nmigd_ctl;
	    [ ${#COMPREPLY[@]} = 0 ] || printf "%s\n" "${COMPREPLY[@]}"' \
	    "$top_srcdir/ctl/completion/nmigd-ctl" "$@" | sort | tr '\n' ' '
}
expect_eq "completion: commands" "check events forget history reload resolvers status wait watch " \
    "$(comp 1 nmigd-ctl '')"
expect_eq "completion: a command's start" "reload resolvers " "$(comp 1 nmigd-ctl re)"
expect_eq "completion: options" "--config --help --json --noheadings --output --raw --socket --verbose --version " \
    "$(comp 1 nmigd-ctl --)"
expect_eq "completion: the daemon's domains" "example.co.jp example.com " \
    "$(comp 4 nmigd-ctl -s "$sock" status '')"
expect_eq "completion: the daemon's resolvers for history" \
    "google lab-jp old quad9 " \
    "$(comp 5 nmigd-ctl -s "$sock" history example.co.jp '')"
expect_eq "completion: wait's option" "--timeout " \
    "$(comp 5 nmigd-ctl -s "$sock" wait example.co.jp --t)"
expect_eq "completion: status's options" "--limit --state " \
    "$(comp 4 nmigd-ctl -s "$sock" status --)"
expect_eq "completion: the states of --state" "pending propagating " \
    "$(comp 5 nmigd-ctl -s "$sock" status --state p)"
# A reply with a command in a name runs nothing.
fake_stop
printf '{"version": 1, "domains": [{"domain": "$(touch %s/pwned)x"}, {"domain": "ok.example"}]}\n' \
    "$dir" >"$dir/evil.json"
mkdir -p "$dir/evil"
cp "$dir/evil.json" "$dir/evil/status.json"
"$FAKECTL" "$dir/esock" "$dir/evil" & evil_pid=$!
for i in $(seq 100); do [ -e "$dir/evil/ready" ] && break; sleep 0.05; done
expect_eq "completion: a hostile reply's names are not run, nor offered" "ok.example " \
    "$(comp 4 nmigd-ctl -s "$dir/esock" status '')"
expect_eq "completion: nothing was run" no "$([ -e "$dir/pwned" ] && echo yes || echo no)"
kill "$evil_pid" 2>/dev/null
wait "$evil_pid" 2>/dev/null
fake_start status.json=status.json resolvers.json=resolvers.json \
    history.json=history.json events.json=events.json check.json=check.json \
    reload.json=reload.json
expect_eq "completion: nothing from a daemon that is not there" "" \
    "$(comp 4 nmigd-ctl -s "$dir/none" status '')"
run -s "$sock" history example.co.jp
expect_rc "history" 0
expect_file "history table" "$DATA/history.golden"
run -s "$sock" events
expect_rc "events" 0
expect_file "events table" "$DATA/events.golden"
run -s "$sock" check
expect_rc "check" 0
expect_eq "check output" "example.co.jp: probe round started
example.com: probe round already running" "$out"
run -s "$sock" reload
expect_rc "reload" 0
expect_eq "reload output" "configuration reloaded: 2 domains, 30 resolvers" "$out"

# What was asked.
: >"$dir/d/requests"
run -s "$sock" status example.co.jp
run -s "$sock" history example.co.jp quad9
run -s "$sock" check example.com
run -s "$sock" events --since 2026-11-27T00:00:00Z
run -s "$sock" events --since=2026-11-27T09:30:00+09:30
run -s "$sock" events --since 2026-11-26T20:00:00-04:00
expect_eq "requests" '{"command":"status","domain":"example.co.jp"}
{"command":"history","domain":"example.co.jp","resolver":"quad9"}
{"command":"check","domain":"example.com"}
{"command":"events","since":"2026-11-27T00:00:00Z"}
{"command":"events","since":"2026-11-27T00:00:00Z"}
{"command":"events","since":"2026-11-27T00:00:00Z"}' "$(requests)"
: >"$dir/d/requests"
before=$(date -u +%s)
run -s "$sock" events --since 1h30m
after=$(date -u +%s)
since=$(requests | sed -n 's/.*"since":"\([^"]*\)".*/\1/p')
since=$(date -u -d "$since" +%s 2>/dev/null || echo 0)
if [ "$since" -ge $((before - 5400)) ] && [ "$since" -le $((after - 5400)) ]; then
	ok "events --since 1h30m asks from 90 minutes ago"
else
	not_ok "events --since 1h30m: asked $(requests)"
fi

# Empty answers say so.
cp "$DATA/status-empty.json" "$dir/d/status.json"
cp "$DATA/history-empty.json" "$dir/d/history.json"
cp "$DATA/events-empty.json" "$dir/d/events.json"
run -s "$sock" status
expect_eq "no domains" "no domains are watched" "$out"
run -s "$sock" history example.org
expect_eq "no history" "no history for example.org" "$out"
run -s "$sock" events
expect_eq "no events" "no events" "$out"

# Colours only on a terminal, and never with NO_COLOR.
if script -qec true /dev/null >/dev/null 2>&1; then
	cp "$DATA/status.json" "$dir/d/status.json"
	script -qec "$CTL -s $sock status" /dev/null >"$dir/out" 2>&1 </dev/null
	if grep -q $'\033\\[3' "$dir/out"; then
		ok "colours on a terminal"
	else
		not_ok "no colours on a terminal"
	fi
	# Each coloured cell padded inside its colour, as util-linux's
	# tools do it.
	tr -d '\r' <"$dir/out" >"$dir/tty" && mv "$dir/tty" "$dir/out"
	expect_file "status on a terminal: coloured" \
	    "$DATA/status-list-colour.golden"
	script -qec "$CTL -s $sock status example.co.jp" /dev/null 2>&1 \
	    </dev/null | tr -d '\r' >"$dir/out"
	expect_file "status DOMAIN on a terminal: coloured" \
	    "$DATA/status-grid-colour.golden"
	NO_COLOR=1 script -qec "$CTL -s $sock status" /dev/null >"$dir/out" \
	    2>&1 </dev/null
	if grep -q $'\033' "$dir/out"; then
		not_ok "colours with NO_COLOR"
	else
		ok "no colours with NO_COLOR"
	fi
fi

## Errors from the daemon: stderr, exit 1.
cp "$DATA/check-denied.json" "$dir/d/check.json"
cp "$DATA/reload-error.json" "$dir/d/reload.json"
cp "$DATA/unknown-domain.json" "$dir/d/status.json"
run -s "$sock" check
expect_rc "check refused" 1
expect_eq "check refused: stderr" \
    "nmigd-ctl: permission denied: check needs root or the nmigd user" "$err"
expect_eq "check refused: stdout" "" "$out"
run -s "$sock" reload
expect_rc "reload refused" 1
expect_eq "reload refused: each FILE:LINE on a line" \
    "nmigd-ctl: configuration not reloaded
/etc/nmigd/nmigd.conf:12: mx: not a valid MX record: 10
/etc/nmigd/nmigd.conf:20: unknown key: intervall" "$err"
run -s "$sock" --json reload
expect_rc "reload refused, --json" 1
expect_file "reload refused, --json: the reply on stdout" "$DATA/reload-error.json"
run -s "$sock" status example.org
expect_rc "unknown domain" 1
expect_eq "unknown domain: stderr" "nmigd-ctl: unknown domain: example.org" "$err"

## A broken daemon cannot hang or exhaust the client: exit 3.
# broken REPLYFILE DESCRIPTION MESSAGE
broken() {
	cp "$DATA/$1" "$dir/d/status.json"
	run -s "$sock" status
	expect_rc "$2" 3
	expect_in "$2" err "$3"
}
broken close.json "no reply" "$sock: connection closed without a reply"
broken garbage.json "not JSON" "$sock: malformed reply"
broken array.json "not an object" "$sock: malformed reply"
broken version2.json "protocol version 2" "control protocol version 2"
broken huge.json "endless reply" "$sock: reply larger than 64 MiB"
expect_eq "endless reply to the list: no advice" \
    "nmigd-ctl: $sock: reply larger than 64 MiB" "$err"
run -s "$sock" --json status
expect_rc "endless reply to --json status" 3
expect_eq "endless reply to --json status: how to ask for less" \
    "nmigd-ctl: $sock: reply larger than 64 MiB (the whole status of every domain: --state and --limit ask for a page, status DOMAIN for one)" \
    "$err"
start=$(date +%s)
cp "$DATA/hang.json" "$dir/d/status.json"
NMIGD_CTL_TIMEOUT_MS=300 run -s "$sock" status
expect_rc "no reply" 3
expect_in "no reply" err "$sock: no reply within 300 ms"
if [ $(($(date +%s) - start)) -le 5 ]; then
	ok "no reply: the client gave up in time"
else
	not_ok "no reply: the client took $(($(date +%s) - start)) s"
fi

## wait
export NMIGD_CTL_POLL_MS=20
fake_start status.1.json=wait-1.json status.2.json=wait-2.json \
    status.3.json=wait-3.json status.4.json=wait-4.json \
    status.5.json=wait-5.json
run -s "$sock" wait example.co.jp
expect_rc "wait until complete" 0
expect_file "wait: a line per change" "$DATA/wait.golden"
expect_eq "wait: polled until complete" 5 "$(requests | wc -l)"
expect_eq "wait: asks for its domain" \
    '{"command":"status","domain":"example.co.jp"}' "$(requests | sort -u)"

fake_start status.1.json=wait-1.json status.2.json=wait-2.json \
    status.3.json=wait-3.json status.4.json=wait-4.json \
    status.5.json=wait-5.json
run -s "$sock" --json wait example.co.jp
expect_rc "wait --json" 0
cat "$DATA/wait-1.json" "$DATA/wait-3.json" "$DATA/wait-4.json" \
    "$DATA/wait-5.json" >"$dir/want"
expect_file "wait --json: each changed reply as received" "$dir/want"

fake_start status.json=wait-1.json
NMIGD_CTL_POLL_MS=200
start=$(date +%s%N)
run -s "$sock" wait example.co.jp --timeout 1s
ms=$((($(date +%s%N) - start) / 1000000))
expect_rc "wait --timeout 1s" 1
expect_eq "wait --timeout 1s: one progress line" 1 "$(wc -l <"$dir/out")"
expect_in "wait --timeout 1s" err "example.co.jp: not complete after 1s (pending, 0/3 resolvers new)"
if [ "$ms" -ge 1000 ] && [ "$ms" -lt 4000 ]; then
	ok "wait --timeout 1s: gave up after $ms ms"
else
	not_ok "wait --timeout 1s: gave up after $ms ms"
fi
NMIGD_CTL_POLL_MS=20

fake_start status.1.json=wait-1.json status.2.json=wait-3.json \
    status.3.json=exit.json
run -s "$sock" wait example.co.jp
expect_rc "wait: daemon goes away" 3
expect_eq "wait: daemon goes away: progress so far" 2 "$(wc -l <"$dir/out")"
expect_in "wait: daemon goes away" err "$sock"

fake_start status.json=unknown-domain.json
run -s "$sock" wait example.org
expect_rc "wait: unknown domain" 1
expect_in "wait: unknown domain" err "unknown domain: example.org"

fake_stop
echo "# $npass passed, $nfail failed"
[ "$nfail" -eq 0 ]
