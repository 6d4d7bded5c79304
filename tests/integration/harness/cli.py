# SPDX-License-Identifier: Apache-2.0
"""Runs the operator's command, build/iotjobs, against a test daemon.

The binary is $IOTJOBS_CLI, else the `iotjobs` beside $IOTJOBSD (so the
asan daemon is driven by the asan command). Each run gets a clean
environment: a HOME of its own (no ~/.aws of the caller), the test
credentials in AWS_*, and the daemon's endpoint in IOTJOBS_ENDPOINT,
unless the test says otherwise.
"""

import json
import os
import pty
import select
import subprocess
import tempfile
import threading
import time

from harness.daemon import (ACCESS_KEY_ID, REGION, SECRET_ACCESS_KEY,
                            daemon_path)

RUN_TIMEOUT = 60


def cli_path():
    path = os.environ.get("IOTJOBS_CLI")
    if not path:
        path = os.path.join(os.path.dirname(daemon_path()), "iotjobs")
    path = os.path.abspath(path)
    if not os.access(path, os.X_OK):
        raise RuntimeError("iotjobs not found or not executable: %s "
                           "(set IOTJOBS_CLI)" % path)
    return path


_home = tempfile.mkdtemp(prefix="iotjobs-cli-home-")


def cli_env(daemon=None, creds=True, extra=None):
    """The environment of one run: nothing of the caller's AWS_* or
    IOTJOBS_*, a private HOME, the test key, the daemon's endpoint."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("AWS_", "IOTJOBS_"))}
    env["HOME"] = _home
    if creds:
        env["AWS_ACCESS_KEY_ID"] = ACCESS_KEY_ID
        env["AWS_SECRET_ACCESS_KEY"] = SECRET_ACCESS_KEY
        env["AWS_DEFAULT_REGION"] = REGION
    if daemon is not None:
        env["IOTJOBS_ENDPOINT"] = daemon.endpoint
    env.update(extra or {})
    return env


def run(daemon, *args, env=None, creds=True, timeout=RUN_TIMEOUT,
        input=None):
    """Runs `iotjobs ARGS`; returns the CompletedProcess (text)."""
    return subprocess.run([cli_path()] + [str(a) for a in args],
                          env=cli_env(daemon, creds, env), input=input,
                          capture_output=True, text=True, timeout=timeout)


def run_json(test, daemon, *args, **kw):
    """Runs `iotjobs ARGS --output json`, asserts exit 0 and one JSON
    document on stdout, and returns it."""
    r = run(daemon, *(list(args) + ["--output", "json"]), **kw)
    test.assertEqual(r.returncode, 0, "iotjobs %s: %s" % (
        " ".join(map(str, args)), r.stderr))
    return json.loads(r.stdout)


def assert_fails(test, r, *words, status=1):
    """A run that exits STATUS with one line on stderr holding WORDS."""
    test.assertEqual(r.returncode, status, (r.stdout, r.stderr))
    lines = r.stderr.strip().splitlines()
    test.assertEqual(len(lines), 1, r.stderr)
    for w in words:
        test.assertIn(w, lines[0])


class Watcher:
    """`iotjobs job watch` in the background; its output collected."""

    def __init__(self, daemon, args, tty):
        self.chunks = []
        env = cli_env(daemon)
        argv = [cli_path(), "job", "watch", "--interval", "0.05"] + args
        if tty:
            master, slave = pty.openpty()
            self.proc = subprocess.Popen(argv, env=env, stdout=slave,
                                         stderr=subprocess.PIPE,
                                         stdin=subprocess.DEVNULL)
            os.close(slave)
            self.fd = master
        else:
            self.proc = subprocess.Popen(argv, env=env,
                                         stdout=subprocess.PIPE,
                                         stderr=subprocess.PIPE,
                                         stdin=subprocess.DEVNULL)
            self.fd = self.proc.stdout.fileno()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        while True:
            r, _, _ = select.select([self.fd], [], [], 0.2)
            if not r:
                if self.proc.poll() is not None:
                    return
                continue
            try:
                data = os.read(self.fd, 65536)
            except OSError:
                return
            if not data:
                return
            self.chunks.append(data)

    @property
    def text(self):
        return b"".join(self.chunks).decode("utf-8", "replace")

    def wait_for(self, what, timeout=10):
        deadline = time.monotonic() + timeout
        while what not in self.text:
            if time.monotonic() > deadline:
                raise AssertionError("no %r in:\n%s" % (what, self.text))
            time.sleep(0.02)

    def finish(self, timeout=20):
        rc = self.proc.wait(timeout=timeout)
        self.reader.join(timeout=5)
        err = self.proc.stderr.read().decode()
        self.proc.stderr.close()
        if self.proc.stdout is not None:
            self.proc.stdout.close()
        else:
            os.close(self.fd)
        return rc, err
