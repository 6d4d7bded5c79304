# SPDX-License-Identifier: Apache-2.0
"""What the install and package tests share: running make, starting an
installed iotjobsd with a configuration file as systemd would (with a
NOTIFY_SOCKET that records its sd_notify messages), probing it, and
checking a unit file with systemd-analyze."""

import http.client
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import tempfile
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
ACCESS_KEY_ID = "AKIAIOTJOBSTEST00001"
SECRET_ACCESS_KEY = "iotjobs/TEST/secret+key/0123456789abcdef"


def make(*args, env=None):
    """make ARGS in the repository; returns the CompletedProcess."""
    return subprocess.run(["make", "--no-print-directory"] + list(args),
                          cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=900)


def free_port():
    """A port below Linux's ephemeral range (32768-60999), which outgoing
    connections may take between bind(0) and the server's own bind."""
    for _ in range(200):
        port = random.randint(20000, 32767)
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 20000-32767")


def get(port, path):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request("GET", path)
        r = conn.getresponse()
        return r.status, json.loads(r.read() or b"{}")
    finally:
        conn.close()


class Notified:
    """A NOTIFY_SOCKET, as systemd gives a Type=notify service."""

    def __init__(self, folder):
        self.path = os.path.join(folder, "notify.sock")
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.path)
        self.sock.settimeout(15)

    def wait(self, word):
        """The next messages until one holds WORD (e.g. READY=1)."""
        while True:
            msg = self.sock.recv(4096).decode()
            if word in msg.split("\n"):
                return msg

    def close(self):
        self.sock.close()


def run_service(test, binary, config, extra=()):
    """Starts BINARY --config CONFIG as the unit does, on a data folder
    and port of the test's own. Returns (proc, port, data_dir, notified);
    the test's cleanups stop it."""
    tmp = tempfile.mkdtemp(prefix="iotjobs-svc-")
    test.addCleanup(shutil.rmtree, tmp, ignore_errors=True)
    port = free_port()
    data = os.path.join(tmp, "data")
    note = Notified(tmp)
    test.addCleanup(note.close)
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("IOTJOBS_")}
    env.update(NOTIFY_SOCKET=note.path, JOURNAL_STREAM="8:1234",
               IOTJOBS_ACCESS_KEY_ID=ACCESS_KEY_ID,
               IOTJOBS_SECRET_ACCESS_KEY=SECRET_ACCESS_KEY)
    log = open(os.path.join(tmp, "log"), "wb")
    test.addCleanup(log.close)
    proc = subprocess.Popen([binary, "--config", config, "--data-dir", data,
                             "--listen", "127.0.0.1:%d" % port] +
                            list(extra), env=env, stdin=subprocess.DEVNULL,
                            stdout=log, stderr=log)

    def stop():
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    test.addCleanup(stop)
    return proc, port, data, note


def stop_service(test, proc, note):
    proc.send_signal(signal.SIGTERM)
    test.assertIn("STOPPING=1", note.wait("STOPPING=1"))
    test.assertEqual(proc.wait(timeout=15), 0)


def verify_unit(test, unit_text, sbin_from, sbin_to, manpath):
    """systemd-analyze verify on UNIT_TEXT, its ExecStart pointed from
    SBIN_FROM to SBIN_TO (the staged binary), man pages from MANPATH."""
    if shutil.which("systemd-analyze") is None:
        test.skipTest("no systemd-analyze")
    tmp = tempfile.mkdtemp(prefix="iotjobs-unit-")
    test.addCleanup(shutil.rmtree, tmp, ignore_errors=True)
    path = os.path.join(tmp, "iotjobsd.service")
    with open(path, "w") as f:
        f.write(unit_text.replace(sbin_from, sbin_to))
    r = subprocess.run(["systemd-analyze", "verify", path],
                       env=dict(os.environ, MANPATH=manpath),
                       capture_output=True, text=True, timeout=60)
    test.assertEqual((r.returncode, r.stderr), (0, ""), r.stdout)


UNIT_MUST = ("Type=notify", "User=iotjobs", "StateDirectory=iotjobs",
             "ProtectSystem=strict", "NoNewPrivileges=yes",
             "Restart=on-failure", "RestartPreventExitStatus=2",
             "WantedBy=multi-user.target")
