# SPDX-License-Identifier: Apache-2.0
"""make install DESTDIR=...: the FHS layout, the configuration file kept
when changed, a unit systemd-analyze accepts, manual pages man renders,
the installed iotjobsd started with the installed configuration (READY=1
and STOPPING=1 through its NOTIFY_SOCKET, the probes, a backup), and make
uninstall taking back what it wrote."""

import filecmp
import os
import shutil
import stat
import subprocess
import tempfile
import unittest

from common import (ROOT, UNIT_MUST, get, make, run_service, stop_service,
                    verify_unit)


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


class InstallTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.stage = tempfile.mkdtemp(prefix="iotjobs-stage-")
        r = make("install", "DESTDIR=" + cls.stage)
        if r.returncode != 0:
            raise AssertionError("make install failed:\n" + r.stdout +
                                 r.stderr)
        cls.prefix = os.path.join(cls.stage, "usr", "local")
        cls.sbin = os.path.join(cls.prefix, "sbin", "iotjobsd")
        cls.conf = os.path.join(cls.stage, "etc", "iotjobs",
                                "iotjobsd.conf")
        cls.unit = os.path.join(cls.prefix, "lib", "systemd", "system",
                                "iotjobsd.service")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.stage, ignore_errors=True)

    def test_layout(self):
        expect = {
            "usr/local/sbin/iotjobsd": 0o755,
            "usr/local/share/man/man8/iotjobsd.8": 0o644,
            "usr/local/share/man/man5/iotjobsd.conf.5": 0o644,
            "usr/local/share/doc/iotjobs/examples/iotjobsd.conf": 0o644,
            "usr/local/lib/systemd/system/iotjobsd.service": 0o644,
            "usr/local/lib/sysusers.d/iotjobs.conf": 0o644,
            "etc/iotjobs/iotjobsd.conf": 0o640,
            "usr/local/lib/iotjobs/mosquitto_iotjobs.so": 0o644,
            "etc/mosquitto/conf.d/iotjobs.conf.example": 0o644,
            "etc/mosquitto/iotjobs/acl": 0o644,
        }
        for rel, m in expect.items():
            path = os.path.join(self.stage, rel)
            self.assertTrue(os.path.isfile(path), rel)
            self.assertEqual(mode(path), m, rel)
        self.assertTrue(filecmp.cmp(self.conf, os.path.join(
            ROOT, "etc", "iotjobsd.conf"), shallow=False))
        with open(os.path.join(self.prefix, "lib", "sysusers.d",
                               "iotjobs.conf")) as f:
            self.assertIn("u iotjobs - ", f.read())

    def test_the_broker_drop_in_names_what_is_installed(self):
        path = os.path.join(self.stage, "etc", "mosquitto", "conf.d",
                            "iotjobs.conf.example")
        with open(path) as f:
            lines = dict(ln.split(" ", 1) for ln in f.read().splitlines()
                         if ln and not ln.startswith("#"))
        self.assertEqual(lines["plugin"], "/usr/local/lib/iotjobs/"
                         "mosquitto_iotjobs.so")
        self.assertEqual(lines["acl_file"], "/etc/mosquitto/iotjobs/acl")
        self.assertEqual(lines["plugin_opt_socket"],
                         "/var/lib/iotjobs/broker.sock")

    def test_the_unit(self):
        with open(self.unit) as f:
            text = f.read()
        for line in UNIT_MUST:
            self.assertIn("\n" + line + "\n", text)
        self.assertIn("\nExecStart=/usr/local/sbin/iotjobsd --config "
                      "/etc/iotjobs/iotjobsd.conf\n", text)
        self.assertNotRegex(text, r"@[A-Z]+@")
        verify_unit(self, text, "/usr/local/sbin/",
                    os.path.dirname(self.sbin) + "/",
                    os.path.join(self.prefix, "share", "man"))

    def test_the_manual_pages_render_without_warnings(self):
        for page in ("man8/iotjobsd.8", "man5/iotjobsd.conf.5"):
            r = subprocess.run(["man", "--warnings", "-l", os.path.join(
                self.prefix, "share", "man", page)], capture_output=True,
                text=True, env=dict(os.environ, MANWIDTH="80",
                                    LC_ALL="C.UTF-8"), timeout=60)
            self.assertEqual((r.returncode, r.stderr), (0, ""), page)
            self.assertIn("iotjobsd", r.stdout)

    def test_installed_daemon_runs_with_the_installed_config(self):
        r = subprocess.run([self.sbin, "--version"], capture_output=True,
                           text=True)
        self.assertRegex(r.stdout, r"^iotjobsd \d+\.\d+\.\d+\n$")
        r = subprocess.run([self.sbin, "--config", self.conf,
                            "--check-config"], capture_output=True,
                           text=True, env=dict(os.environ,
                                               IOTJOBS_CONFIG=""))
        self.assertEqual(r.returncode, 0, r.stderr)
        proc, port, data, note = run_service(self, self.sbin, self.conf)
        self.assertIn("READY=1", note.wait("READY=1"))
        self.assertEqual(get(port, "/_iotjobs/health"),
                         (200, {"status": "ok"}))
        status, body = get(port, "/_iotjobs/ready")
        self.assertEqual((status, body["role"]), (200, "leader"))
        # The example's data-dir is the service's; the flag overrides it.
        self.assertTrue(os.path.isfile(os.path.join(data, "iotjobs.db")))
        out = os.path.join(os.path.dirname(data), "backup")
        r = subprocess.run([self.sbin, "backup", "--config", self.conf,
                            "--data-dir", data, "--to", out],
                           capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        stop_service(self, proc, note)

    def test_reinstall_keeps_a_changed_config_and_uninstall_too(self):
        stage = tempfile.mkdtemp(prefix="iotjobs-stage2-")
        self.addCleanup(shutil.rmtree, stage, ignore_errors=True)
        self.assertEqual(make("install", "DESTDIR=" + stage).returncode, 0)
        conf = os.path.join(stage, "etc", "iotjobs", "iotjobsd.conf")
        with open(conf, "a") as f:
            f.write("listen = 0.0.0.0:8080\n")
        r = make("install", "DESTDIR=" + stage)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("install: kept %s" % conf, r.stdout)
        with open(conf) as f:
            self.assertIn("listen = 0.0.0.0:8080", f.read())
        r = make("uninstall", "DESTDIR=" + stage)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("uninstall: kept %s" % conf, r.stdout)
        left = [os.path.relpath(os.path.join(d, f), stage)
                for d, _, files in os.walk(stage) for f in files]
        self.assertEqual(left, ["etc/iotjobs/iotjobsd.conf"])
        os.unlink(conf)
        self.assertEqual(make("install", "DESTDIR=" + stage).returncode, 0)
        self.assertEqual(make("uninstall", "DESTDIR=" + stage).returncode,
                         0)
        left = [os.path.join(d, f) for d, _, files in os.walk(stage)
                for f in files]
        self.assertEqual(left, [])

    def test_prefix_usr_uses_systemds_folders(self):
        stage = tempfile.mkdtemp(prefix="iotjobs-stage3-")
        self.addCleanup(shutil.rmtree, stage, ignore_errors=True)
        r = make("install", "PREFIX=/usr", "DESTDIR=" + stage)
        self.assertEqual(r.returncode, 0, r.stderr)
        unitdir = subprocess.run(
            ["pkg-config", "--variable=systemdsystemunitdir", "systemd"],
            capture_output=True, text=True).stdout.strip() or \
            "/lib/systemd/system"
        for rel in ("usr/sbin/iotjobsd", unitdir.lstrip("/") +
                    "/iotjobsd.service", "usr/lib/sysusers.d/iotjobs.conf",
                    "usr/share/man/man8/iotjobsd.8"):
            self.assertTrue(os.path.isfile(os.path.join(stage, rel)), rel)
        with open(os.path.join(stage, unitdir.lstrip("/"),
                               "iotjobsd.service")) as f:
            self.assertIn("ExecStart=/usr/sbin/iotjobsd --config "
                          "/etc/iotjobs/iotjobsd.conf\n", f.read())


if __name__ == "__main__":
    unittest.main()
