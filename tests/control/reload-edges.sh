#!/bin/bash
# reload-edges.sh - what a reload must survive besides a bad key: files
# that are not files (a FIFO with no writer, a device), a config with
# thousands of errors, and reloads that overlap, as systemd sees them.
#  - A FIFO or /dev/zero as nmigd.conf or as the resolver list is refused
#    at once with "not a regular file"; the reader is never stuck, later
#    reloads work and SIGTERM ends the daemon.
#  - A refused reload lists its first 100 errors and says how many more;
#    every waiting client gets that bounded reply.
#  - systemd hears RELOADING=1 and READY=1 by turns (Type=notify-reload
#    semantics): never READY=1 for a read other than the last one asked
#    for.
#
# Needs root, socat, jq, sqlite3, setpriv and python3; exit 77 without
# them.  Exit 0 pass, 1 fail.  KEEP=1 keeps the work directory.
set -u
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/control/lib.sh"

command -v python3 >/dev/null 2>&1 || ctl_skip "python3 missing"
ctl_setup reload-edges

# Enough domains that a read takes a few milliseconds, so that reloads
# asked for together overlap (and few enough for a sanitizer build to
# start quickly).
closed_conf 3000 2 >"$dir/nmigd.conf"
cp "$dir/nmigd.conf" "$dir/nmigd.conf.good"

# systemd's side of sd_notify(): every message, in order.
python3 - "$dir/notify.sock" >"$dir/notify.log" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
while True:
    for line in s.recv(4096).decode().split("\n"):
        if line.startswith(("READY=", "RELOADING=")):
            print(line, flush=True)
PY
bg_pids=$!
for _ in $(seq 50); do [ -S "$dir/notify.sock" ] && break; sleep 0.1; done
NOTIFY_SOCKET=$dir/notify.sock nmigd_start

nreloaded() {
	grep -c 'reloaded: watching' "$dir/nmigd.log"
}
wait_reloaded() {	# N: until N reloads are logged (30 s)
	for _ in $(seq 300); do
		[ "$(nreloaded)" -ge "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

# --- overlapping reloads, as systemd sees them
pids=()
for i in 1 2 3; do
	ctl_json reload >/dev/null &
	pids+=($!)
done
kill -HUP "$nmigd_pid"
wait "${pids[@]}"
check "three reloads and a SIGHUP at once: reloaded" wait_reloaded 2
sleep 1
seq_=$(tr '\n' ' ' <"$dir/notify.log")
check "systemd hears READY=1 and RELOADING=1 by turns ($seq_)" \
    python3 - "$dir/notify.log" <<'PY'
import sys
msgs = [l.split("=")[0] for l in open(sys.argv[1]).read().split()]
ok = msgs[:1] == ["READY"] and len(msgs) >= 3 and msgs[-1] == "READY"
ok = ok and all(a != b for a, b in zip(msgs, msgs[1:]))
sys.exit(0 if ok else 1)
PY
check "the last READY=1 came after the last read was applied" \
    [ "$(tail -n 1 "$dir/notify.log")" = "READY=1" ]

# --- files that are not files
refused() {	# LABEL PATTERN: a reload is refused naming PATTERN, quickly
	local r t0 t1
	t0=$(date +%s%N)
	r=$(ctl_json reload)
	t1=$(date +%s%N)
	expect "$1: refused ($(( (t1 - t0) / 1000000 )) ms)" "$r" \
	    ".error == \"configuration not reloaded\" and
	    any(.errors[]; contains(\"$2\"))"
}
mkfifo "$dir/resolvers.fifo"
sed "s|^resolvers = .*|resolvers = $dir/resolvers.fifo|" \
    "$dir/nmigd.conf.good" >"$dir/nmigd.conf"
refused "resolver list a FIFO without a writer" "resolvers.fifo: cannot open: not a regular file"
sed "s|^resolvers = .*|resolvers = /dev/zero|" "$dir/nmigd.conf.good" >"$dir/nmigd.conf"
refused "resolver list /dev/zero" "/dev/zero: cannot open: not a regular file"
rm "$dir/nmigd.conf"
mkfifo "$dir/nmigd.conf"
refused "nmigd.conf a FIFO without a writer" "nmigd.conf: cannot open: not a regular file"
rm "$dir/nmigd.conf"
cp "$dir/nmigd.conf.good" "$dir/nmigd.conf"
r=$(ctl_json reload)
expect "the good files back: reloaded" "$r" '.reloaded == true and .domains == 3000'

# --- a config with thousands of errors, several clients waiting for it
for i in $(seq 5000); do echo "bogus-$i = 1"; done >>"$dir/nmigd.conf"
pids=()
for i in 1 2 3 4; do
	ctl_json reload >"$dir/big.$i" &
	pids+=($!)
done
wait "${pids[@]}"
for i in 1 2 3 4; do
	expect "5000 errors, client $i: the first 100 and a count" "$(cat "$dir/big.$i")" \
	    '.error == "configuration not reloaded" and (.errors | length) == 101 and
	    .errors[100] == "... and 4900 more errors"'
done
check "5000 errors: the log has 100 of them and the count" \
    grep -q "reload: 4900 more errors" "$dir/nmigd.log"
cp "$dir/nmigd.conf.good" "$dir/nmigd.conf"

check "nmigd still runs" kill -0 "$nmigd_pid"
nmigd_stop TERM
check "SIGTERM: exit 0 (exit $stop_rc)" [ "$stop_rc" = 0 ]

ctl_finish
