# SPDX-License-Identifier: Apache-2.0
"""make deb: build/iotjobs_VERSION_ARCH.deb, its contents, lintian without
errors, the maintainer scripts (run against stubs: they create the user
and the state folder and enable nothing; purge removes the state), and
the packaged iotjobsd run from an unpacked copy."""

import os
import shutil
import stat
import subprocess
import tempfile
import unittest

from common import (ROOT, UNIT_MUST, get, make, run_service, stop_service,
                    verify_unit)

STUBS = ("adduser", "getent", "install", "chgrp", "chmod",
         "dpkg-statoverride", "deb-systemd-helper", "deb-systemd-invoke",
         "systemctl", "dpkg-maintscript-helper")


def dpkg_deb(*args):
    return subprocess.run(["dpkg-deb"] + list(args), capture_output=True,
                          text=True, check=True).stdout


class DebTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        with open(os.path.join(ROOT, "VERSION")) as f:
            cls.version = f.read().strip()
        arch = subprocess.run(["dpkg", "--print-architecture"],
                              capture_output=True, text=True).stdout.strip()
        cls.deb = os.path.join(ROOT, "build", "iotjobs_%s_%s.deb" %
                               (cls.version, arch))
        if os.path.exists(cls.deb):
            os.unlink(cls.deb)
        r = make("deb")
        if r.returncode != 0:
            raise AssertionError("make deb failed:\n" + r.stdout + r.stderr)
        cls.tmp = tempfile.mkdtemp(prefix="iotjobs-deb-")
        cls.root = os.path.join(cls.tmp, "root")
        cls.control = os.path.join(cls.tmp, "control")
        dpkg_deb("-x", cls.deb, cls.root)
        dpkg_deb("-e", cls.deb, cls.control)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def test_the_package_is_named_and_described(self):
        self.assertTrue(os.path.isfile(self.deb))
        fields = dpkg_deb("-f", self.deb, "Package", "Version",
                          "Depends")
        self.assertIn("Package: iotjobs\n", fields)
        self.assertIn("Version: %s\n" % self.version, fields)
        for dep in ("adduser", "libsystemd0", "libsqlite3-0"):
            self.assertIn(dep, fields)

    def test_contents(self):
        listing = dpkg_deb("-c", self.deb)
        for path in ("./usr/sbin/iotjobsd", "./etc/iotjobs/iotjobsd.conf",
                     "./lib/systemd/system/iotjobsd.service",
                     "./usr/share/man/man8/iotjobsd.8.gz",
                     "./usr/share/man/man5/iotjobsd.conf.5.gz",
                     "./usr/share/doc/iotjobs/copyright",
                     "./usr/share/doc/iotjobs/examples/iotjobsd.conf",
                     "./usr/lib/iotjobs/mosquitto_iotjobs.so",
                     "./etc/mosquitto/conf.d/iotjobs.conf.example",
                     "./etc/mosquitto/iotjobs/acl"):
            self.assertIn(" " + path + "\n", listing)
        self.assertRegex(listing, r"-rwxr-xr-x root/root .* "
                         r"\./usr/sbin/iotjobsd\n")
        with open(os.path.join(self.control, "conffiles")) as f:
            self.assertEqual(sorted(f.read().split()), [
                "/etc/iotjobs/iotjobsd.conf",
                "/etc/mosquitto/conf.d/iotjobs.conf.example",
                "/etc/mosquitto/iotjobs/acl"])
        with open(os.path.join(self.root, "lib", "systemd", "system",
                               "iotjobsd.service")) as f:
            unit = f.read()
        for line in UNIT_MUST:
            self.assertIn("\n" + line + "\n", unit)
        verify_unit(self, unit, "/usr/sbin/",
                    os.path.join(self.root, "usr", "sbin") + "/",
                    os.path.join(self.root, "usr", "share", "man"))

    def test_lintian_finds_no_error(self):
        if shutil.which("lintian") is None:
            self.skipTest("no lintian")
        r = subprocess.run(["lintian", "--fail-on", "error", self.deb],
                           capture_output=True, text=True, timeout=600)
        errors = [ln for ln in r.stdout.splitlines() if ln.startswith("E:")]
        self.assertEqual((r.returncode, errors), (0, []), r.stdout)

    def script(self, name, tmp):
        """The maintainer script NAME with its paths moved under TMP, and
        a PATH whose commands only record how they were called."""
        with open(os.path.join(self.control, name)) as f:
            text = f.read()
        text = text.replace("/etc/iotjobs", tmp + "/etc/iotjobs")
        text = text.replace("/var/lib/iotjobs", tmp + "/var/lib/iotjobs")
        path = os.path.join(tmp, name)
        with open(path, "w") as f:
            f.write(text)
        bin_dir = os.path.join(tmp, "bin")
        os.makedirs(bin_dir, exist_ok=True)
        calls = os.path.join(tmp, "calls")
        for stub in STUBS:
            p = os.path.join(bin_dir, stub)
            # getent: no such user yet; dpkg-statoverride: no override;
            # deb-systemd-helper: the unit was never enabled; every other
            # command succeeds.
            rc = {"getent": 2, "dpkg-statoverride": 1}.get(stub, 0)
            with open(p, "w") as f:
                f.write("#!/bin/sh\necho \"%s $*\" >>%s\n" % (stub, calls))
                if stub == "deb-systemd-helper":
                    f.write("case $1 in was-enabled|debian-installed) "
                            "exit 1;; esac\n")
                f.write("exit %d\n" % rc)
            os.chmod(p, 0o755)
        env = {"PATH": bin_dir + ":/usr/bin:/bin", "LC_ALL": "C"}
        return path, env, calls

    def test_postinst_creates_the_user_and_folder_and_enables_nothing(self):
        tmp = tempfile.mkdtemp(prefix="iotjobs-maint-")
        self.addCleanup(shutil.rmtree, tmp, ignore_errors=True)
        os.makedirs(os.path.join(tmp, "etc", "iotjobs"))
        open(os.path.join(tmp, "etc", "iotjobs", "iotjobsd.conf"),
             "w").close()
        path, env, calls = self.script("postinst", tmp)
        self.assertEqual(subprocess.run(["sh", "-n", path]).returncode, 0)
        r = subprocess.run(["sh", path, "configure", ""], env=env,
                           capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(calls) as f:
            log = f.read().splitlines()
        self.assertIn("adduser --system --group --quiet --home %s/var/lib/"
                      "iotjobs --no-create-home --gecos iotjobs daemon "
                      "iotjobs" % tmp, log)
        self.assertIn("install -d -o iotjobs -g iotjobs -m 0710 %s/var/lib/"
                      "iotjobs" % tmp, log)
        self.assertIn("chgrp iotjobs %s/etc/iotjobs/iotjobsd.conf" % tmp, log)
        self.assertIn("chmod 0640 %s/etc/iotjobs/iotjobsd.conf" % tmp, log)
        for line in log:
            self.assertNotRegex(line, r"^deb-systemd-helper enable|"
                                r"^deb-systemd-invoke start|"
                                r"^systemctl (enable|start)", log)

    def test_postrm_purge_removes_the_state_and_remove_keeps_it(self):
        tmp = tempfile.mkdtemp(prefix="iotjobs-maint-")
        self.addCleanup(shutil.rmtree, tmp, ignore_errors=True)
        state = os.path.join(tmp, "var", "lib", "iotjobs")
        os.makedirs(state)
        open(os.path.join(state, "iotjobs.db"), "w").close()
        path, env, _ = self.script("postrm", tmp)
        self.assertEqual(subprocess.run(["sh", "-n", path]).returncode, 0)
        r = subprocess.run(["sh", path, "remove"], env=env,
                           capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(os.path.isdir(state))
        r = subprocess.run(["sh", path, "purge"], env=env,
                           capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertFalse(os.path.exists(state))

    def test_the_unpacked_daemon_runs(self):
        sbin = os.path.join(self.root, "usr", "sbin", "iotjobsd")
        conf = os.path.join(self.root, "etc", "iotjobs", "iotjobsd.conf")
        r = subprocess.run([sbin, "--version"], capture_output=True,
                           text=True)
        self.assertEqual(r.stdout, "iotjobsd %s\n" % self.version)
        proc, port, data, note = run_service(self, sbin, conf)
        note.wait("READY=1")
        self.assertEqual(get(port, "/_iotjobs/ready")[0], 200)
        stop_service(self, proc, note)
        r = subprocess.run(["man", "--warnings", "-l", os.path.join(
            self.root, "usr", "share", "man", "man8", "iotjobsd.8.gz")],
            capture_output=True, text=True,
            env=dict(os.environ, MANWIDTH="80", LC_ALL="C.UTF-8"))
        self.assertEqual((r.returncode, r.stderr), (0, ""))


if __name__ == "__main__":
    unittest.main()
