# SPDX-License-Identifier: Apache-2.0
"""iotjobsd backup and restore: a backup taken while devices and an
operator write holds every write acknowledged before it began, and the
restored folder serves it with the same CA; what each command refuses;
and the schema rule: a store newer than the binary is refused, saying
which migration it needs."""

import os
import shutil
import sqlite3
import stat
import subprocess
import tempfile
import threading
import time
import unittest

from harness.daemon import (ACCOUNT_ID, REGION, Daemon, daemon_path,
                            sqlite_only,
                            unique_name)


def thing_arn(name):
    return "arn:aws:iot:%s:%s:thing/%s" % (REGION, ACCOUNT_ID, name)


def iotjobsd(*args, env=None):
    env = dict(env or os.environ)
    env["IOTJOBS_CONFIG"] = ""
    env.pop("IOTJOBS_DATA_DIR", None)
    return subprocess.run([daemon_path()] + list(args), env=env,
                          stdin=subprocess.DEVNULL, capture_output=True,
                          text=True, timeout=60)


@sqlite_only
class BackupTest(unittest.TestCase):

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="iotjobs-backup-")
        self.addCleanup(shutil.rmtree, self.tmp, ignore_errors=True)

    def daemon(self, data_dir=None):
        d = Daemon(start=False)
        if data_dir is not None:
            d.data_dir = data_dir
        self.addCleanup(d.close)
        return d.start()

    def test_backup_under_load_keeps_every_acknowledged_write(self):
        d = self.daemon()
        iot = d.iot_client()
        things = [unique_name("dev") for _ in range(6)]
        for t in things:
            iot.create_thing(thingName=t)
        job = unique_name("job")
        iot.create_job(jobId=job, targets=[thing_arn(t) for t in things],
                       document='{"step": "all"}')
        lock = threading.Lock()
        acked = {t: 0 for t in things}
        created = []
        stop = threading.Event()
        errors = []

        def device(thing, client):
            k = 0
            try:
                while not stop.is_set():
                    k += 1
                    client.update_job_execution(
                        thingName=thing, jobId=job, status="IN_PROGRESS",
                        statusDetails={"step": str(k)})
                    with lock:
                        acked[thing] = k
            except Exception as e:  # reported below, not lost
                errors.append(e)

        def operator(client):
            try:
                while not stop.is_set():
                    name = unique_name("op")
                    client.create_thing(thingName=name)
                    with lock:
                        created.append(name)
            except Exception as e:
                errors.append(e)

        workers = [threading.Thread(target=device,
                                    args=(t, d.data_client()))
                   for t in things]
        workers.append(threading.Thread(target=operator,
                                        args=(d.iot_client(),)))
        for w in workers:
            w.start()
        try:
            time.sleep(1.0)
            with lock:
                before = dict(acked)
                before_created = list(created)
            path = os.path.join(self.tmp, "iotjobs.backup")
            r = iotjobsd("backup", "--to", path, "--data-dir", d.data_dir)
            time.sleep(0.3)    # the load goes on after the backup too
        finally:
            stop.set()
            for w in workers:
                w.join()
        self.assertEqual(errors, [])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("wrote %s" % path, r.stdout)
        self.assertTrue(min(before.values()) > 0, before)
        self.assertTrue(before_created)
        self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o600)
        self.assertFalse(os.path.exists(path + "-wal"))

        restored = os.path.join(self.tmp, "restored")
        r = iotjobsd("restore", "--from", path, "--data-dir", restored)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("start iotjobsd with --data-dir %s" % restored,
                      r.stdout)
        for name in ("tls/ca.crt", "tls/ca.key"):
            with open(os.path.join(d.data_dir, name), "rb") as a, \
                    open(os.path.join(restored, name), "rb") as b:
                self.assertEqual(a.read(), b.read(), name)
        self.assertEqual(stat.S_IMODE(os.stat(os.path.join(
            restored, "tls", "ca.key")).st_mode), 0o600)
        d.stop()

        d2 = self.daemon(restored)
        data = d2.data_client()
        for t in things:
            ex = data.describe_job_execution(thingName=t, jobId=job)
            step = int(ex["execution"]["statusDetails"]["step"])
            self.assertGreaterEqual(step, before[t], t)
        iot2 = d2.iot_client()
        for name in before_created:
            iot2.describe_thing(thingName=name)
        with sqlite3.connect(os.path.join(restored, "iotjobs.db")) as db:
            tables = [r[0] for r in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")]
        self.assertNotIn("backup_files", tables)

    def test_backup_refusals(self):
        d = self.daemon()
        path = os.path.join(self.tmp, "b")
        r = iotjobsd("backup", "--to", path, "--data-dir", d.data_dir)
        self.assertEqual(r.returncode, 0, r.stderr)
        r = iotjobsd("backup", "--to", path, "--data-dir", d.data_dir)
        self.assertEqual(r.returncode, 1)
        self.assertIn("exists already", r.stderr)
        r = iotjobsd("backup", "--to", os.path.join(d.data_dir, "x"),
                     "--data-dir", d.data_dir)
        self.assertEqual(r.returncode, 1)
        self.assertIn("is inside the data folder", r.stderr)
        r = iotjobsd("backup", "--data-dir", d.data_dir)
        self.assertEqual(r.returncode, 2)
        self.assertIn("backup takes --to FILE", r.stderr)
        r = iotjobsd("backup", "--to", os.path.join(self.tmp, "c"),
                     "--data-dir", os.path.join(self.tmp, "nowhere"))
        self.assertEqual(r.returncode, 1)
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "nowhere")))

    def test_restore_refusals(self):
        d = self.daemon()
        path = os.path.join(self.tmp, "b")
        self.assertEqual(iotjobsd("backup", "--to", path, "--data-dir",
                                  d.data_dir).returncode, 0)
        r = iotjobsd("restore", "--from", path, "--data-dir", d.data_dir)
        self.assertEqual(r.returncode, 1)
        self.assertIn("is not empty", r.stderr)
        junk = os.path.join(self.tmp, "junk")
        with open(junk, "w") as f:
            f.write("not a store\n" * 100)
        r = iotjobsd("restore", "--from", junk, "--data-dir",
                     os.path.join(self.tmp, "r1"))
        self.assertEqual(r.returncode, 1)
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "r1",
                                                     "iotjobs.db")))
        r = iotjobsd("restore", "--from", os.path.join(self.tmp, "none"),
                     "--data-dir", os.path.join(self.tmp, "r2"))
        self.assertEqual(r.returncode, 1)
        self.assertIn("cannot read", r.stderr)

    @unittest.skipUnless(os.geteuid() == 0, "needs root")
    def test_root_on_another_users_folder_is_refused(self):
        d = self.daemon()
        d.stop()
        os.chown(d.data_dir, 65534, 65534)
        r = iotjobsd("backup", "--to", os.path.join(self.tmp, "b"),
                     "--data-dir", d.data_dir)
        os.chown(d.data_dir, 0, 0)
        self.assertEqual(r.returncode, 1)
        self.assertIn("run this as that user (sudo -u", r.stderr)


@sqlite_only
class SchemaTest(unittest.TestCase):
    """Schemas only move forward: a store from a newer iotjobsd is
    refused at start, by backup and by restore, naming what it needs."""

    def test_a_store_newer_than_the_binary_is_refused(self):
        d = Daemon()
        self.addCleanup(d.close)
        d.stop()
        db_path = os.path.join(d.data_dir, "iotjobs.db")
        db = sqlite3.connect(db_path)
        with db:
            known, by = db.execute(
                "SELECT max(version), iotjobs FROM schema_migrations"
            ).fetchone()
            self.assertIsNotNone(by, "the release is recorded")
            db.execute("INSERT INTO schema_migrations (version, name,"
                       " applied_at, iotjobs) VALUES (?, 'future', 0,"
                       " '99.0.0')", (known + 1,))
        db.close()      # the last connection: the WAL goes into the file
        proc = subprocess.run(d.command(), env=dict(
            os.environ, IOTJOBS_CONFIG="", IOTJOBS_ACCESS_KEY_ID="AKIAX",
            IOTJOBS_SECRET_ACCESS_KEY="x"), stdin=subprocess.DEVNULL,
            capture_output=True, text=True, timeout=30)
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("is at schema version %d, newer than this iotjobsd"
                      % (known + 1), proc.stderr)
        self.assertIn("it needs an iotjobsd with migration %04d, such as "
                      "iotjobs 99.0.0" % (known + 1), proc.stderr)
        with sqlite3.connect(db_path) as db:
            self.assertEqual(db.execute("SELECT max(version) FROM "
                                        "schema_migrations").fetchone()[0],
                             known + 1, "the store was left as it was")
        tmp = tempfile.mkdtemp(prefix="iotjobs-schema-")
        self.addCleanup(shutil.rmtree, tmp, ignore_errors=True)
        r = iotjobsd("backup", "--to", os.path.join(tmp, "b"),
                     "--data-dir", d.data_dir)
        self.assertEqual(r.returncode, 1)
        self.assertIn("newer than this iotjobsd", r.stderr)
        plain = os.path.join(tmp, "plain.db")
        shutil.copy(db_path, plain)
        r = iotjobsd("restore", "--from", plain, "--data-dir",
                     os.path.join(tmp, "r"))
        self.assertEqual(r.returncode, 1)
        self.assertIn("newer than this iotjobsd", r.stderr)


if __name__ == "__main__":
    unittest.main()
