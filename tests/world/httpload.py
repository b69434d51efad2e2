#!/usr/bin/env python3
"""httpload.py - hostile HTTP clients for tests/world/metrics-limits.sh.

    httpload.py hold PORT IDLE GET SECS [FIRST_SOURCE]
        Open IDLE connections that never send, then GET connections that
        send "GET /metrics" and never read, to 127.0.0.1:PORT, each from
        its own source address 127.0.0.X counting from FIRST_SOURCE (2),
        wrapping within 127.0.0.2-254.  After a second print one line,
        "opened N open N closed N": closed are those the server closed
        or answered with anything but 200 (503 over a cap, 408 at the
        head deadline); open the rest.  Then hold every connection SECS
        seconds (or until SIGTERM) and close them.
    httpload.py trickle PORT
        Send a request one byte a second; print the seconds until the
        server closed the connection and the first reply line, if any.
    httpload.py slow PORT NREAD NHEAD SECS FIRST_SOURCE
        For SECS seconds: NREAD connections from 127.0.0.FIRST_SOURCE ask
        by turns for /metrics and /status.json and read the reply a byte
        a second; NHEAD from the next address send their request a byte
        a second, and connect again when the server closes them.  Print
        "read N bytes on N connections, N closed; head N connections, N
        closed, N answered".

Only loopback: every address here is in 127.0.0.0/8.  A non-reading client
peeks at its first reply bytes (MSG_PEEK) so that it never drains its
socket.
"""
import errno
import signal
import socket
import sys
import time

HOST = "127.0.0.1"
REQUEST = b"GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"


def source(first, i):
    """A source address in 127.0.0.2-254 for the i-th client."""
    return "127.0.0.%d" % (2 + (first - 2 + i) % 253)


def connect(port, src):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((src, 0))
    try:
        s.connect((HOST, port))
    except OSError as e:
        s.close()
        raise e
    s.setblocking(False)
    return s


def closed(s):
    """True when the server closed the connection or is closing it."""
    try:
        head = s.recv(12, socket.MSG_PEEK)
    except BlockingIOError:
        return False
    except OSError:
        return True
    return not head.startswith(b"HTTP/1.1 200")


def hold(port, nidle, nget, secs, first):
    socks, failed = [], 0
    for i in range(nidle + nget):
        try:
            s = connect(port, source(first, i))
        except OSError as e:
            if e.errno not in (errno.ECONNREFUSED, errno.ECONNRESET,
                               errno.EAGAIN, errno.ETIMEDOUT):
                raise
            failed += 1
            continue
        if i >= nidle:
            try:
                s.send(REQUEST)
            except OSError:
                pass
        socks.append(s)
    time.sleep(1)
    nclosed = sum(1 for s in socks if closed(s)) + failed
    print("opened %d open %d closed %d" %
          (nidle + nget, nidle + nget - nclosed, nclosed), flush=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        time.sleep(secs)
    finally:
        for s in socks:
            s.close()


def trickle(port):
    s = socket.create_connection((HOST, port))
    start = time.monotonic()
    reply = b""
    for b in REQUEST:
        try:
            s.send(bytes([b]))
        except OSError:
            break
        s.settimeout(1)
        try:
            reply = s.recv(4096)
            break  # a reply, or b"" when the server closed
        except socket.timeout:
            continue
        except OSError:
            break
    line = reply.split(b"\r\n")[0].decode("ascii", "replace")
    print("%.1f %s" % (time.monotonic() - start, line or "-"), flush=True)


def slow_read(port, src, path):
    s = connect(port, src)
    s.setblocking(True)
    s.sendall(b"GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n\r\n" %
              (path, port))
    s.setblocking(False)
    return s


def slow_head(port, src):
    """A connection to send a request on, or a closed socket when the
    connection failed (a SYN that met the last one's TIME_WAIT): it
    counts as closed the next second, and is tried again."""
    try:
        return connect(port, src)
    except OSError:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.close()
        return s


def slow(port, nread, nhead, secs, first):
    readers = [slow_read(port, source(first, 0),
                         (b"/metrics", b"/status.json")[i % 2])
               for i in range(nread)]
    heads = [[slow_head(port, source(first, 1)), 0] for _ in range(nhead)]
    nbytes = rclosed = hclosed = hanswered = 0
    hconns = nhead
    end = time.monotonic() + secs
    while time.monotonic() < end:
        for s in list(readers):
            try:
                b = s.recv(1)
            except BlockingIOError:
                continue
            except OSError:
                b = b""
            if not b:
                rclosed += 1
                readers.remove(s)
                s.close()
            nbytes += len(b)
        for h in heads:
            try:
                b = h[0].recv(64)
            except BlockingIOError:
                b = None
            except OSError:
                b = b""
            if b is None:
                if h[1] < len(REQUEST):
                    try:
                        h[0].send(REQUEST[h[1]:h[1] + 1])
                        h[1] += 1
                    except OSError:
                        pass
                continue
            # Answered (a whole request), or closed: 408 at the head
            # deadline, 503 over a cap, or nothing.
            if b.startswith(b"HTTP/1.1 200"):
                hanswered += 1
            else:
                hclosed += 1
            h[0].close()
            h[0], h[1] = slow_head(port, source(first, 1)), 0
            hconns += 1
        time.sleep(1)
    print("read %d bytes on %d connections, %d closed; head %d "
          "connections, %d closed, %d answered" %
          (nbytes, nread, rclosed, hconns, hclosed, hanswered), flush=True)
    for s in readers:
        s.close()
    for h in heads:
        h[0].close()


def main(argv):
    if len(argv) >= 6 and argv[1] == "hold":
        first = int(argv[6]) if len(argv) > 6 else 2
        hold(int(argv[2]), int(argv[3]), int(argv[4]), float(argv[5]), first)
    elif len(argv) == 3 and argv[1] == "trickle":
        trickle(int(argv[2]))
    elif len(argv) == 7 and argv[1] == "slow":
        slow(int(argv[2]), int(argv[3]), int(argv[4]), float(argv[5]),
             int(argv[6]))
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
