# SPDX-License-Identifier: Apache-2.0
"""Issue 13's "done when", as one operator's afternoon on the test
clock: import a fleet, plan a job with a rollout rate, create it, watch
it, pause and resume it, ask explain about a device that has not got it
(the right reason), see the same rollout in /metrics, and find every
change in a verified audit log."""

import json
import os
import unittest

from harness import cli
from harness.daemon import (ACCOUNT_ID, REGION, DaemonTestCase, raw_request,
                            unique_name)

ARN = "arn:aws:iot:%s:%s:" % (REGION, ACCOUNT_ID)


class OperatorStoryTest(DaemonTestCase):

    test_clock = True

    def test_the_afternoon(self):
        g = unique_name("fleet")
        path = os.path.join(self.daemon.workdir, "fleet.csv")
        names = ["%s-%02d" % (g, i) for i in range(6)]
        with open(path, "w") as f:
            f.write("name,model,groups\n")
            for n in names:
                f.write("%s,m1,%s\n" % (n, g))
        out = cli.run_json(self, self.daemon, "thing", "import", path)
        self.assertEqual(out["created"], 6)

        job = {"jobId": unique_name("fw"),
               "targets": [ARN + "thinggroup/" + g],
               "document": json.dumps({"firmware": "2.1"}),
               "jobExecutionsRolloutConfig": {"maximumPerMinute": 2}}
        jpath = os.path.join(self.daemon.workdir, "job.json")
        with open(jpath, "w") as f:
            json.dump(job, f)
        plan = cli.run_json(self, self.daemon, "job", "plan",
                            "--cli-input-json", "file://" + jpath)
        now = self.daemon.now()
        self.assertEqual([(b["at"] - now, b["things"])
                          for b in plan["batches"]],
                         [(0, names[0:2]), (60, names[2:4]),
                          (120, names[4:6])])
        self.iot.create_job(**job)
        job_id = job["jobId"]

        watch = cli.Watcher(self.daemon, [job_id], tty=False)
        watch.wait_for(job_id)
        cli.run_json(self, self.daemon, "job", "pause", job_id)
        # The watch shows the pause before it ends, however slow the host.
        watch.wait_for("[PAUSED since")
        self.daemon.advance(120)
        why = cli.run_json(self, self.daemon, "explain", "--thing",
                           names[5], "--job", job_id)
        self.assertEqual((why["reason"], why["position"]),
                         ("JOB_PAUSED", 4))
        metrics = raw_request(self.daemon.endpoint, "GET",
                              "/metrics").body.decode()
        self.assertIn('iotjobs_job_paused{job_id="%s"} 1' % job_id, metrics)
        self.assertIn('iotjobs_job_waiting_things{job_id="%s"} 4' % job_id,
                      metrics)
        cli.run_json(self, self.daemon, "job", "resume", job_id)
        self.daemon.advance(0)
        why = cli.run_json(self, self.daemon, "explain", "--thing",
                           names[5], "--job", job_id)
        self.assertEqual(why["reason"], "QUEUED_BEHIND_RATE")
        self.assertEqual(why["expectedAt"], self.daemon.now() + 60)
        self.daemon.advance(60)
        data = self.daemon.data_client()
        for n in names:
            data.update_job_execution(thingName=n, jobId=job_id,
                                      status="SUCCEEDED")
        rc, err = watch.finish(timeout=30)
        out = watch.text
        self.assertEqual(rc, 0, err)
        self.assertIn("[PAUSED since", out)
        self.assertIn("status=COMPLETED", out.splitlines()[-1])
        metrics = raw_request(self.daemon.endpoint, "GET",
                              "/metrics").body.decode()
        self.assertIn('iotjobs_job_executions{job_id="%s",status='
                      '"SUCCEEDED"} 6' % job_id, metrics)

        recs = cli.run_json(self, self.daemon, "audit", "--job",
                            job_id)["records"]
        self.assertEqual([r["operation"] for r in recs],
                         ["CreateJob", "iotjobs:PauseJob",
                          "iotjobs:ResumeJob"])
        things = cli.run_json(self, self.daemon, "audit")["records"]
        self.assertEqual(sorted(r["thing"] for r in things
                                if r["operation"] == "iotjobs:ImportThing"), names)
        r = cli.run(self.daemon, "audit", "verify")
        self.assertEqual(r.returncode, 0, r.stderr)


if __name__ == "__main__":
    unittest.main()
