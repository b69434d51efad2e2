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
#   clients.py pause SOCKET BYTES GO OUT
#	ask for the status, read BYTES of it, print "paused", wait until the
#	file GO exists, then read the rest of the line; write the whole line
#	to the file OUT and print "done".
import os
import json
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
    elif mode == "pause":
        pause(sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5])
    else:
        sys.exit("usage: clients.py swarm|trickle|pipeline|mute|pause "
                 "SOCKET ...")
