#!/usr/bin/env python3
"""Open N idle SMTP connections to a server and report its resident memory growth per connection.

Usage: idle_connections.py HOST PORT SERVER_PID [COUNT] [TIME_LIMIT_SECONDS]

Each connection is opened, its greeting is read (so the server has really set the session up), and then
it stays silent. VmRSS of SERVER_PID is read from /proc before the first connection and after all of
them are established and the server has had a moment to settle. Every step is bounded in time; the
script closes every socket before it exits.
"""
import resource
import selectors
import socket
import sys
import time


def vm_rss_kb(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS in /proc/%d/status" % pid)


def main():
    host, port, pid = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    count = int(sys.argv[4]) if len(sys.argv) > 4 else 10000
    limit = float(sys.argv[5]) if len(sys.argv) > 5 else 120.0
    deadline = time.monotonic() + limit

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = min(hard, count + 256) if hard != resource.RLIM_INFINITY else count + 256
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    if want < count + 64:
        print(f"file descriptor limit {hard} is too low for {count} connections", file=sys.stderr)
        return 2

    time.sleep(1.0)
    before = vm_rss_kb(pid)

    selector = selectors.DefaultSelector()
    sockets, greeted, refused, failed = [], 0, 0, 0
    pending = {}
    # Connect in batches so the server's accept backlog never overflows.
    batch = 200
    opened = 0
    while (opened < count or pending) and time.monotonic() < deadline:
        while opened < count and len(pending) < batch:
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setblocking(False)
            s.connect_ex((host, port))
            sockets.append(s)
            pending[s] = b""
            selector.register(s, selectors.EVENT_READ)
            opened += 1
        for key, _ in selector.select(timeout=0.5):
            s = key.fileobj
            try:
                data = s.recv(512)
            except (ConnectionError, OSError):
                data = b""
            if not data:
                failed += 1
                selector.unregister(s)
                del pending[s]
                continue
            pending[s] += data
            if b"\n" in pending[s]:
                if pending[s].startswith(b"220"):
                    greeted += 1
                else:
                    refused += 1
                    if refused <= 3:
                        sys.stderr.write("refused: %r\n" % pending[s][:200])
                selector.unregister(s)
                del pending[s]

    timed_out = len(pending)
    time.sleep(3.0)  # let the server finish whatever per-session setup follows the greeting
    samples = []
    for _ in range(3):
        samples.append(vm_rss_kb(pid))
        time.sleep(0.5)
    after = max(samples)
    still_open = 0
    for s in sockets:
        try:
            # An idle connection has nothing to read; one the server closed (or timed out with a
            # 421) reads as EOF or data.
            s.recv(1, socket.MSG_PEEK)
        except BlockingIOError:
            still_open += 1
        except OSError:
            pass
    for s in sockets:
        s.close()

    growth_kb = after - before
    per_connection = growth_kb * 1024.0 / greeted if greeted else float("nan")
    print(f"connections requested: {count}")
    print(f"greeted (220): {greeted}, refused: {refused}, closed/failed: {failed}, no greeting in time: {timed_out}")
    print(f"still open when measured: {still_open}")
    print(f"server VmRSS before: {before} kB, after: {after} kB, growth: {growth_kb} kB")
    print(f"RSS growth per greeted connection: {per_connection / 1024.0:.2f} KiB ({per_connection:.0f} bytes)")
    return 0 if greeted == count and timed_out == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
