# SPDX-License-Identifier: Apache-2.0
"""make run (scripts/run.sh) twice: the second stops with one line saying
what already runs where, and touches nothing of the first (its broker's
files, its pid file, its processes); on other ports but the same ones it
stops too. And scripts/provision-device.sh, the successor of `run.sh
device`, fails when iotjobsd cannot be told."""

import hashlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
import unittest

from common import ROOT, free_port, get


def snapshot(folder):
    """Every file under FOLDER: its content's hash and its mtime."""
    out = {}
    for d, _, files in os.walk(folder):
        for f in files:
            p = os.path.join(d, f)
            if os.path.islink(p) or not os.path.isfile(p):
                continue
            with open(p, "rb") as fh:
                out[os.path.relpath(p, folder)] = (
                    hashlib.sha256(fh.read()).hexdigest(),
                    os.stat(p).st_mtime_ns)
    return out


class RunTwiceTest(unittest.TestCase):

    def setUp(self):
        if not os.access(os.path.join(ROOT, "build", "iotjobsd"), os.X_OK):
            self.skipTest("build/iotjobsd is missing (make all)")
        self.tmp = tempfile.mkdtemp(prefix="iotjobs-run-")
        self.addCleanup(shutil.rmtree, self.tmp, ignore_errors=True)
        # Mosquitto started as root reads its files as "mosquitto".
        os.chmod(self.tmp, 0o711)
        self.ports = [free_port() for _ in range(4)]

    def env(self, data):
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("IOTJOBS_")}
        env.update(IOTJOBS_DATA_DIR=data, IOTJOBS_CONFIG="",
                   IOTJOBS_BROKER_LISTEN="127.0.0.1:%d" % self.ports[2],
                   IOTJOBS_BROKER_TLS_LISTEN="127.0.0.1:%d" % self.ports[3])
        return env

    def args(self):
        return ["sh", "scripts/run.sh", "--listen",
                "127.0.0.1:%d" % self.ports[0], "--tls-listen",
                "127.0.0.1:%d" % self.ports[1]]

    def start_first(self, data):
        out = open(os.path.join(self.tmp, "first.out"), "wb")
        self.addCleanup(out.close)
        proc = subprocess.Popen(self.args(), cwd=ROOT, env=self.env(data),
                                stdin=subprocess.DEVNULL, stdout=out,
                                stderr=subprocess.STDOUT,
                                start_new_session=True)

        def stop():
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        self.addCleanup(stop)
        deadline = time.monotonic() + 30
        while True:
            with open(os.path.join(self.tmp, "first.out")) as f:
                text = f.read()
            if "provision a device" in text:
                return proc
            if proc.poll() is not None or time.monotonic() > deadline:
                self.fail("the first make run did not start:\n" + text)
            time.sleep(0.1)

    def second(self, data):
        return subprocess.run(self.args(), cwd=ROOT, env=self.env(data),
                              stdin=subprocess.DEVNULL, capture_output=True,
                              text=True, timeout=60)

    def test_a_second_run_touches_nothing_of_the_first(self):
        data = os.path.join(self.tmp, "data")
        first = self.start_first(data)
        before = snapshot(data)
        self.assertIn("mosquitto/mosquitto.pid", before)

        r = self.second(data)
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertEqual(r.stdout, "")
        lines = r.stderr.splitlines()
        self.assertEqual(len(lines), 1, r.stderr)
        self.assertTrue(lines[0].startswith(
            "run: already running: make run (pid %d): iotjobsd on "
            "http://127.0.0.1:%d, Mosquitto on 127.0.0.1:%d and "
            "mqtts://127.0.0.1:%d, data in " % (
                first.pid, self.ports[0], self.ports[2], self.ports[3])),
            lines[0])
        after = snapshot(data)
        changed = [k for k in set(before) | set(after)
                   if before.get(k) != after.get(k) and
                   not k.startswith(("iotjobs.db", "tls/broker-ca"))]
        self.assertEqual(changed, [])

        # The same ports from another data folder: stopped too.
        other = os.path.join(self.tmp, "other")
        r = self.second(other)
        self.assertEqual(r.returncode, 1)
        self.assertEqual(len(r.stderr.splitlines()), 1, r.stderr)
        self.assertIn("127.0.0.1:%d is in use" % self.ports[0], r.stderr)
        self.assertFalse(os.path.exists(os.path.join(other, "mosquitto")))

        # The first still serves, broker and all (iotjobsd connects to
        # the broker it started after, within its retry delay).
        deadline = time.monotonic() + 15
        while get(self.ports[0], "/_iotjobs/ready")[0] != 200:
            self.assertLess(time.monotonic(), deadline, "not ready")
            time.sleep(0.2)
        self.assertEqual(get(self.ports[0], "/_iotjobs/ready")[1]["broker"],
                         "connected")
        first.send_signal(signal.SIGTERM)
        self.assertEqual(first.wait(timeout=30), 143)
        self.assertFalse(os.path.exists(os.path.join(data, "mosquitto",
                                                     "mosquitto.pid")))

    def test_provisioning_fails_when_iotjobsd_cannot_be_told(self):
        if shutil.which("aws") is None:
            self.skipTest("no aws CLI")
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("IOTJOBS_", "AWS_"))}
        env.update(AWS_ENDPOINT_URL="http://127.0.0.1:%d" % self.ports[0],
                   AWS_ACCESS_KEY_ID="AKIAX", AWS_SECRET_ACCESS_KEY="x",
                   AWS_MAX_ATTEMPTS="1")
        out = os.path.join(self.tmp, "dev")
        r = subprocess.run(["sh", "scripts/provision-device.sh", "dev1",
                            out], cwd=ROOT, env=env, capture_output=True,
                           text=True, timeout=120)
        self.assertNotEqual(r.returncode, 0, r.stdout)
        self.assertFalse(os.path.exists(os.path.join(out,
                                                     "dev1.cert.pem")))


if __name__ == "__main__":
    unittest.main()
