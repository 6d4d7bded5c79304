# SPDX-License-Identifier: Apache-2.0
"""Hostile clients for the hardening tests (py/test_hardening*.py): floods of
slow or idle connections held from another loopback address, the
daemon's memory read from /proc, and a minimal MQTT 3.1.1 client for the
size limits. Standard library only; every helper stops by itself.
"""

import os
import resource
import selectors
import socket
import struct
import threading
import time

# Floods come from here; the test's own signed client uses 127.0.0.1, so
# the per-address limit, when on, does not count it with the flood.
FLOOD_ADDR = "127.0.0.2"


def raise_nofile(need):
    """Raises this process's open-file limit to hold NEED sockets; False
    when the hard limit is too low (the test then skips)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = need + 256
    if hard != resource.RLIM_INFINITY and hard < want:
        return False
    if soft == resource.RLIM_INFINITY or soft >= want:
        return True
    resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    return True


def sanitized(binary):
    """True when BINARY is built with AddressSanitizer, whose shadow
    memory and quarantine make resident sizes meaningless."""
    with open(binary, "rb") as f:
        return b"__asan_init" in f.read()


def rss_kb(pid):
    """VmRSS of PID in kB."""
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS for %d" % pid)


class RssSampler:
    """Samples a process's VmRSS every 20 ms until stopped: peak in kB."""

    def __init__(self, pid):
        self.pid = pid
        self.peak = rss_kb(pid)
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._run, daemon=True)
        self._t.start()

    def _run(self):
        while not self._stop.wait(0.02):
            try:
                self.peak = max(self.peak, rss_kb(self.pid))
            except (OSError, RuntimeError):
                return

    def stop(self):
        self._stop.set()
        self._t.join()
        return self.peak


class Flood:
    """SLOW connections that send one header byte every second and IDLE
    ones that send nothing, all from FLOOD_ADDR to HOST:PORT, held (never
    reopened) until close(). A thread watches them: closed_at[i] is when
    the daemon closed connection i (monotonic), answers[i] what it wrote
    before closing. Connections are opened idle ones first, in order, so
    that their index is their age.
    """

    HEAD = b"GET /things HTTP/1.1\r\nHost: x\r\nX-Slow: "

    def __init__(self, host, port, idle=0, slow=0, interval=1.0):
        self.n_idle = idle
        self.socks = []
        self.opened_at = []
        for i in range(idle + slow):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind((FLOOD_ADDR, 0))
            s.setblocking(False)
            try:
                s.connect((host, port))
            except BlockingIOError:
                pass
            self.socks.append(s)
            self.opened_at.append(time.monotonic())
        self.closed_at = [None] * len(self.socks)
        self.answers = [b""] * len(self.socks)
        self.sent = [0] * len(self.socks)
        self.interval = interval
        self._stop = threading.Event()
        self._sel = selectors.DefaultSelector()
        for i, s in enumerate(self.socks):
            self._sel.register(s, selectors.EVENT_READ, i)
        self._t = threading.Thread(target=self._run, daemon=True)
        self._t.start()

    def is_slow(self, i):
        return i >= self.n_idle

    def _gone(self, i):
        if self.closed_at[i] is None:
            self.closed_at[i] = time.monotonic()
            try:
                self._sel.unregister(self.socks[i])
            except (KeyError, ValueError):
                pass

    def _read(self, i):
        try:
            data = self.socks[i].recv(4096)
        except BlockingIOError:
            return
        except OSError:
            self._gone(i)
            return
        if not data:
            self._gone(i)
        else:
            self.answers[i] += data

    def _trickle(self):
        for i, s in enumerate(self.socks):
            if not self.is_slow(i) or self.closed_at[i] is not None:
                continue
            byte = self.HEAD[self.sent[i]:self.sent[i] + 1] or b"a"
            try:
                s.send(byte)
                self.sent[i] += 1
            except BlockingIOError:
                pass
            except OSError:
                self._gone(i)

    def _run(self):
        next_trickle = time.monotonic()
        while not self._stop.is_set():
            now = time.monotonic()
            if now >= next_trickle:
                self._trickle()
                next_trickle = now + self.interval
            if not self._sel.get_map():
                self._stop.wait(0.05)
                continue
            for key, _ in self._sel.select(timeout=0.05):
                self._read(key.data)

    def open_count(self, which=None):
        idx = range(len(self.socks)) if which is None else which
        return sum(1 for i in idx if self.closed_at[i] is None)

    def wait_closed(self, which, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.open_count(which) == 0:
                return True
            time.sleep(0.05)
        return False

    def close(self):
        self._stop.set()
        self._t.join()
        self._sel.close()
        for s in self.socks:
            s.close()


# --- MQTT 3.1.1, just enough to publish and to read a reply -------------

def _mqtt_str(s):
    b = s.encode()
    return struct.pack("!H", len(b)) + b


def _mqtt_len(n):
    out = b""
    while True:
        d, n = n % 128, n // 128
        out += bytes([d | (0x80 if n else 0)])
        if not n:
            return out


class MiniMqtt:
    """One MQTT 3.1.1 connection (QoS 0) with a blocking reader."""

    def __init__(self, port, client_id, timeout=5.0):
        self.sock = socket.create_connection(("127.0.0.1", port),
                                             timeout=timeout)
        var = _mqtt_str("MQTT") + bytes([4, 2]) + struct.pack("!H", 30)
        body = var + _mqtt_str(client_id)
        self.sock.sendall(b"\x10" + _mqtt_len(len(body)) + body)
        kind, _ = self.read_packet()
        if kind != 0x20:
            raise RuntimeError("no CONNACK")

    def _recv(self, n):
        buf = b""
        while len(buf) < n:
            chunk = self.sock.recv(n - len(buf))
            if not chunk:
                raise ConnectionError("closed by the broker")
            buf += chunk
        return buf

    def read_packet(self):
        head = self._recv(1)[0]
        mult, n = 1, 0
        while True:
            d = self._recv(1)[0]
            n += (d & 0x7f) * mult
            mult *= 128
            if not d & 0x80:
                break
        return head & 0xf0, self._recv(n)

    def subscribe(self, topic):
        body = struct.pack("!H", 1) + _mqtt_str(topic) + b"\x00"
        self.sock.sendall(b"\x82" + _mqtt_len(len(body)) + body)
        while self.read_packet()[0] != 0x90:
            pass

    def publish(self, topic, payload):
        body = _mqtt_str(topic) + payload
        self.sock.sendall(b"\x30" + _mqtt_len(len(body)) + body)

    def next_message(self):
        """(topic, payload) of the next PUBLISH."""
        while True:
            kind, data = self.read_packet()
            if kind == 0x30:
                n = struct.unpack("!H", data[:2])[0]
                return data[2:2 + n].decode(), data[2 + n:]

    def close(self):
        try:
            self.sock.sendall(b"\xe0\x00")
        except OSError:
            pass
        self.sock.close()
