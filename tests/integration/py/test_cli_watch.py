# SPDX-License-Identifier: Apache-2.0
"""`iotjobs job watch`: on a terminal (a pty) the view is redrawn in
place, with a bar per status, the released rate, the ETA and what the
rollout waits for (rate, pause, maintenance window, scheduled start);
piped, one line per change; --output json, one object per change. It
exits when the job is terminal: 1 when an execution ended in a --fail-on
status, 0 otherwise or with --fail-on none."""

import json
import time
import unittest

from harness import cli
from harness.daemon import ACCOUNT_ID, REGION, DaemonTestCase, unique_name

ARN = "arn:aws:iot:%s:%s:" % (REGION, ACCOUNT_ID)


class CliWatchTest(DaemonTestCase):

    test_clock = True

    def fleet(self, n):
        names = sorted(unique_name("t") for _ in range(n))
        for name in names:
            self.iot.create_thing(thingName=name)
        return names

    def job(self, names, rate=2):
        job_id = unique_name("j")
        self.iot.create_job(jobId=job_id,
                            targets=[ARN + "thing/" + n for n in names],
                            document="{}",
                            jobExecutionsRolloutConfig={
                                "maximumPerMinute": rate})
        return job_id

    def finish_all(self, job_id, names, fail=()):
        data = self.daemon.data_client()
        for n in names:
            data.update_job_execution(
                thingName=n, jobId=job_id,
                status="FAILED" if n in fail else "SUCCEEDED")

    def test_terminal_redraws_in_place_and_fails_on_failure(self):
        names = self.fleet(4)
        job_id = self.job(names)
        w = cli.Watcher(self.daemon, [job_id], tty=True)
        w.wait_for("next release at")
        self.assertIn("job %s  IN_PROGRESS  SNAPSHOT" % job_id, w.text)
        self.assertIn("limit 2/min", w.text)
        cli.run_json(self, self.daemon, "job", "pause", job_id)
        w.wait_for("PAUSED since")
        cli.run_json(self, self.daemon, "job", "resume", job_id)
        self.daemon.advance(60)
        w.wait_for("waiting      ........................................"
                   "        0")
        self.finish_all(job_id, names, fail={names[0]})
        rc, err = w.finish()
        self.assertEqual(rc, 1, err)
        self.assertIn("job %s ended COMPLETED with 1 FAILED executions"
                      % job_id, err)
        # Redrawn in place: the cursor goes up over the last view and
        # clears it; each view has a bar per status.
        self.assertIn("\x1b[12A\x1b[J", w.text)
        last = w.text.rsplit("\x1b[J", 1)[1]
        for label in ("QUEUED", "IN_PROGRESS", "SUCCEEDED", "FAILED",
                      "REJECTED", "TIMED_OUT", "CANCELED", "REMOVED",
                      "waiting"):
            self.assertIn("  %-12s " % label, last)
        self.assertIn("COMPLETED", last)
        self.assertIn("  SUCCEEDED    ##############################"
                      "..........        3", last)

    def test_piped_one_line_per_change(self):
        names = self.fleet(3)
        job_id = self.job(names, rate=1)
        w = cli.Watcher(self.daemon, [job_id], tty=False)
        w.wait_for("QUEUED=1")
        self.daemon.advance(60)
        w.wait_for("QUEUED=2")
        self.daemon.advance(60)
        w.wait_for("waiting=0")
        self.finish_all(job_id, names)
        rc, err = w.finish()
        self.assertEqual(rc, 0, err)
        lines = w.text.splitlines()
        self.assertNotIn("\x1b", w.text)
        self.assertEqual(len(lines), len(set(lines)))
        self.assertIn("status=COMPLETED", lines[-1])
        self.assertIn("SUCCEEDED=3", lines[-1])
        waits = [l for l in lines if "status=IN_PROGRESS" in l]
        self.assertIn("waiting=2 released=1 [next release at", waits[0])

    def test_numbers_of_the_command_line_are_strict(self):
        # nan compared false to both bounds, and 2^32 + 1 became 1.
        for args, words in (
                (["job", "watch", "j", "--interval", "nan"], "--interval"),
                (["job", "watch", "j", "--interval", " 1"], "--interval"),
                (["thing", "import", "--parallel", "4294967297", "f.json"],
                 "--parallel"),
                (["audit", "--limit", "+5"], "--limit")):
            cli.assert_fails(self, cli.run(self.daemon, *args), words,
                             status=2)

    def test_json_lines_and_fail_on_none(self):
        names = self.fleet(2)
        job_id = self.job(names, rate=5)
        self.finish_all(job_id, names, fail=set(names))
        r = cli.run(self.daemon, "job", "watch", job_id, "--output",
                    "json", "--fail-on", "none")
        self.assertEqual(r.returncode, 0, r.stderr)
        views = [json.loads(l) for l in r.stdout.splitlines()]
        self.assertEqual(views[-1]["status"], "COMPLETED")
        self.assertEqual(views[-1]["jobProcessDetails"]
                         ["numberOfFailedThings"], 2)
        r = cli.run(self.daemon, "job", "watch", job_id)
        cli.assert_fails(self, r, "2 FAILED executions")
        r = cli.run(self.daemon, "job", "watch", job_id, "--fail-on",
                    "REJECTED")
        self.assertEqual(r.returncode, 0, r.stderr)

    def test_scheduled_and_window_waits_and_refusals(self):
        names = self.fleet(1)
        start = (self.daemon.now() // 60 + 40) * 60
        job_id = unique_name("j")
        self.iot.create_job(jobId=job_id, targets=[ARN + "thing/" + names[0]],
                            document="{}", schedulingConfig={
                                "startTime": time.strftime(
                                    "%Y-%m-%dT%H:%M", time.gmtime(start))})
        r = cli.run(self.daemon, "job", "watch", job_id, "--once")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("scheduled start at " + time.strftime(
            "%Y-%m-%d %H:%M:%SZ", time.gmtime(start)), r.stdout)
        w = time.gmtime(self.daemon.now() + 7200)
        win = unique_name("j")
        r = self.daemon.signed_request("PUT", "/jobs/" + win, body={
            "targets": [ARN + "thing/" + names[0]], "document": "{}",
            "schedulingConfig": {"maintenanceWindows": [{
                "startTime": "cron(%d %d * * ? *)" % (w.tm_min, w.tm_hour),
                "durationInMinutes": 30}]}}, service="iot")
        self.assertEqual(r.status, 200, r.body)
        r = cli.run(self.daemon, "job", "watch", win, "--once")
        self.assertIn("outside its maintenance windows until " +
                      time.strftime("%Y-%m-%d %H:%M:00Z", w), r.stdout)
        r = cli.run(self.daemon, "job", "watch", "nope")
        cli.assert_fails(self, r, "ResourceNotFoundException")
        r = cli.run(self.daemon, "job", "watch", job_id, "--fail-on", "BAD")
        cli.assert_fails(self, r, "--fail-on", status=2)
        r = cli.run(self.daemon, "job", "watch")
        cli.assert_fails(self, r, "expected one JOB", status=2)


if __name__ == "__main__":
    unittest.main()
