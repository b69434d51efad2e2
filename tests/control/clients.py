#!/usr/bin/python3
# clients.py - hostile and patient control clients for tests/control/limits.sh.
# Each mode prints one line of "key=value" results on stdout.
#
#   clients.py swarm SOCKET N HOLD
#	open N connections, one after the other (0.5 s to connect each; stop
#	after 5 that do not connect), wait a second, count those that got a
#	"too many connections" error line ("refused"), that got nothing
#	("held"), and anything else ("other"); print, then keep them all open
#	for HOLD seconds.
#   clients.py trickle SOCKET
#	send '{"command":"status"}' one byte a second on one connection and
#	sit silent on another; print when (seconds after connecting) and with
#	what each was closed.
#   clients.py pipeline SOCKET GAP
#	one connection: a request, its reply, GAP seconds of silence, and
#	again, three times; print how many replies came.
#   clients.py mute SOCKET N HOLD
#	N connections that each ask for the status and never read; print
#	how many asked, then keep them open for HOLD seconds.
#   clients.py storm SOCKET N FIRST_UID UIDS GID HOLD
#	as root: open N connections at once, the i-th as uid FIRST_UID +
#	i % UIDS with group GID (peer credentials are the effective ones).
#	Once the refusals stop coming (a second after the last), print
#	"connected=N refused=N held=N other=N" as swarm does; then those
#	held ask, each of a kind by
#	turns: "idle" sends nothing, "partial" half a request, "mute" asks
#	for the whole status and never reads, "slow" asks for the summary
#	and reads it a byte a second, "hangup" asks for the whole status,
#	reads 4 KB of it and closes.  HOLD seconds after the start print one
#	line a kind, "KIND held=N closed=N told=N bytes=N" (closed by nmigd;
#	told: with "no request within"), then close all.
#   clients.py pause SOCKET BYTES GO OUT
#	ask for the status, read BYTES of it, print "paused", wait until the
#	file GO exists, then read the rest of the line; write the whole line
#	to the file OUT and print "done".
import os
import json
import resource
import socket
import struct
import sys
import time


def connect(path, timeout):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    # Blocking, so that a full backlog makes connect() wait (up to the
    # send timeout) as nmigd-ctl's does, instead of failing with EAGAIN.
    s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO,
                 struct.pack("ll", int(timeout), int(timeout % 1 * 1e6)))
    s.connect(path)
    s.settimeout(timeout)
    return s


def error_of(data):
    try:
        reply = json.loads(data.decode("utf-8").split("\n")[0])
    except ValueError:
        return None
    if not isinstance(reply, dict) or reply.get("version") != 1:
        return None
    return reply.get("error")


def swarm(path, n, hold):
    socks, failed = [], 0
    for _ in range(n):
        try:
            socks.append(connect(path, 0.5))
            failed = 0
        except OSError:
            failed += 1
            if failed == 5:
                break
    time.sleep(1)
    refused = held = other = 0
    for s in socks:
        s.settimeout(0.01)
        try:
            data = s.recv(4096)
        except socket.timeout:
            held += 1
            continue
        except OSError:
            other += 1
            continue
        err = error_of(data)
        if err is not None and err.startswith("too many connections"):
            refused += 1
        else:
            other += 1
    print("connected=%d refused=%d held=%d other=%d" %
          (len(socks), refused, held, other), flush=True)
    time.sleep(hold)


def closed_when(s, start):
    """Read until EOF; (seconds since start, what was read)."""
    data = b""
    try:
        while True:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
    except socket.timeout:
        return None, data
    except OSError:
        pass
    return time.monotonic() - start, data


def trickle(path):
    start = time.monotonic()
    t, q = connect(path, 30), connect(path, 30)
    t.setblocking(False)
    sent = 0
    request = b'{"command":"status"}\n'
    t_closed = None
    while time.monotonic() - start < 30 and sent < len(request):
        try:
            t.send(request[sent:sent + 1])
            sent += 1
        except OSError:
            break
        time.sleep(1)
    t.settimeout(30 - (time.monotonic() - start))
    t_closed, t_data = closed_when(t, start)
    q.settimeout(max(0.1, 30 - (time.monotonic() - start)))
    q_closed, q_data = closed_when(q, start)
    print("trickle_sent=%d trickle_closed=%s trickle_error=%s "
          "silent_closed=%s silent_error=%s" %
          (sent, "%.1f" % t_closed if t_closed is not None else "never",
           json.dumps(error_of(t_data)),
           "%.1f" % q_closed if q_closed is not None else "never",
           json.dumps(error_of(q_data))), flush=True)


def pipeline(path, gap):
    s = connect(path, 15)
    replies = 0
    buf = b""
    for _ in range(3):
        try:
            s.sendall(b'{"command":"resolvers"}\n')
            while b"\n" not in buf:
                chunk = s.recv(65536)
                if not chunk:
                    raise OSError("closed")
                buf += chunk
        except OSError:
            break
        line, buf = buf.split(b"\n", 1)
        if error_of(line) is None and b'"resolvers"' in line:
            replies += 1
        time.sleep(gap)
    print("replies=%d" % replies, flush=True)


def mute(path, n, hold):
    socks = []
    for _ in range(n):
        s = connect(path, 5)
        s.sendall(b'{"command":"status"}\n')
        socks.append(s)
    print("asked=%d" % len(socks), flush=True)
    time.sleep(hold)


STORM_KINDS = ("idle", "partial", "mute", "slow", "hangup")
STORM_ASK = {
    "idle": b"",
    "partial": b'{"command":"sta',
    "mute": b'{"command":"status"}\n',
    "slow": b'{"command":"status","summary":true}\n',
    "hangup": b'{"command":"status"}\n',
}


def storm_connect(path, n, first_uid, uids, gid):
    """N connections, as their uids in turn; (socket or None, kind).
    They ask once all are connected, so that the first deadlines do not
    free slots while the last ones connect."""
    os.setegid(gid)
    conns = []
    for i in range(n):
        kind = STORM_KINDS[i % len(STORM_KINDS)]
        os.seteuid(first_uid + i % uids)
        try:
            s = connect(path, 2)
            s.setblocking(False)
        except OSError:
            s = None
        finally:
            os.seteuid(0)
        conns.append([s, kind])
    return conns


def storm_ask(held):
    for s, kind in held:
        try:
            s.sendall(STORM_ASK[kind])
        except OSError:
            pass    # counted when its closing is read


def storm_refused(s):
    """Whether nmigd said "too many connections" and closed."""
    try:
        data = s.recv(4096, socket.MSG_PEEK)
    except BlockingIOError:
        return False
    except OSError:
        return None
    err = error_of(data)
    if err is not None and err.startswith("too many connections"):
        return True
    return None if not data else False


def storm_step(c, tally):
    """One second of a held client's life; False once it is closed."""
    s, kind = c
    if kind == "mute":
        return True
    try:
        data = s.recv(1 if kind == "slow" else 4096)
    except BlockingIOError:
        return True
    except OSError:
        data = b""
    tally[kind]["bytes"] += len(data)
    if kind == "hangup" and data:
        s.close()
        return False
    if data and kind == "slow":
        return True
    if data:
        err = error_of(data)
        if err is not None and err.startswith("no request within"):
            tally[kind]["told"] += 1
    tally[kind]["closed"] += 1
    s.close()
    return False


def storm(path, n, first_uid, uids, gid, hold):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, n + 256), hard))
    start = time.monotonic()
    conns = storm_connect(path, n, first_uid, uids, gid)
    # A connection still in the listen queue looks held: wait until the
    # refusals stop coming (a second, unless nmigd is slow to accept).
    last = -1
    for _ in range(16):
        time.sleep(0.5)
        states = [storm_refused(s) if s is not None else None
                  for s, _ in conns]
        if states.count(True) == last:
            break
        last = states.count(True)
    refused = other = 0
    held = []
    for c, r in zip(conns, states):
        if r is True:
            refused += 1
        elif r is False:
            held.append(c)
        else:
            other += 1
        if r is not False and c[0] is not None:
            c[0].close()
    print("connected=%d refused=%d held=%d other=%d" %
          (sum(1 for c in conns if c[0] is not None), refused, len(held),
           other), flush=True)
    storm_ask(held)
    tally = {k: {"held": 0, "closed": 0, "told": 0, "bytes": 0}
             for k in STORM_KINDS}
    for c in held:
        tally[c[1]]["held"] += 1
    while held and time.monotonic() - start < hold:
        held = [c for c in held if storm_step(c, tally)]
        time.sleep(1)
    for k in STORM_KINDS:
        print("%s held=%d closed=%d told=%d bytes=%d" %
              (k, tally[k]["held"], tally[k]["closed"], tally[k]["told"],
               tally[k]["bytes"]), flush=True)
    for c in held:
        c[0].close()


def pause(path, nbytes, go, out):
    s = connect(path, 30)
    s.sendall(b'{"command":"status"}\n')
    data = b""
    while len(data) < nbytes:
        chunk = s.recv(nbytes - len(data))
        if not chunk:
            break
        data += chunk
    print("paused", flush=True)
    while not os.path.exists(go):
        time.sleep(0.05)
    while not data.endswith(b"\n"):
        chunk = s.recv(1 << 20)
        if not chunk:
            break
        data += chunk
    with open(out, "wb") as f:
        f.write(data)
    print("done", flush=True)


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "swarm":
        swarm(sys.argv[2], int(sys.argv[3]), float(sys.argv[4]))
    elif mode == "trickle":
        trickle(sys.argv[2])
    elif mode == "pipeline":
        pipeline(sys.argv[2], float(sys.argv[3]))
    elif mode == "mute":
        mute(sys.argv[2], int(sys.argv[3]), float(sys.argv[4]))
    elif mode == "storm":
        storm(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]),
              int(sys.argv[5]), int(sys.argv[6]), float(sys.argv[7]))
    elif mode == "pause":
        pause(sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5])
    else:
        sys.exit("usage: clients.py swarm|trickle|pipeline|mute|storm|pause "
                 "SOCKET ...")
