# SPDX-License-Identifier: Apache-2.0
"""GET /metrics: Prometheus text format 0.0.4, checked by Debian's
`promtool check metrics`, without a signature from a loopback peer (the
decision for other peers and the bearer token is tests/unit/
test_metrics.c), on --metrics-listen too; values asserted after known
traffic: requests by operation and status, jobs and executions by
status, per-job series, rollout releases, the pause, scheduler lag,
group commits, the audit log's size, build info."""

import re
import shutil
import subprocess
import unittest

from harness import cli
from harness.daemon import (ACCOUNT_ID, REGION, DaemonTestCase, free_port,
                            raw_request, unique_name)

ARN = "arn:aws:iot:%s:%s:" % (REGION, ACCOUNT_ID)
SAMPLE = re.compile(r'^([a-z_]+)(\{[^}]*\})? (\S+)$')


def parse(text):
    """{(name, frozenset of label pairs): value}."""
    out = {}
    for line in text.splitlines():
        if line.startswith("#") or not line:
            continue
        m = SAMPLE.match(line)
        assert m, line
        labels = frozenset(re.findall(r'(\w+)="([^"]*)"', m.group(2) or ""))
        out[(m.group(1), labels)] = float(m.group(3))
    return out


def value(samples, name, **labels):
    return samples.get((name, frozenset(labels.items())))


class MetricsTest(DaemonTestCase):

    test_clock = True

    @classmethod
    def setUpClass(cls):
        # Chosen here, not at import: another suite's daemon could take
        # a port picked long before this one binds it.
        cls.metrics_port = free_port()
        cls.daemon_args = ("--metrics-listen",
                           "127.0.0.1:%d" % cls.metrics_port,
                           "--metrics-token", "tok-123")
        super().setUpClass()

    def scrape(self, endpoint=None):
        r = raw_request(endpoint or self.daemon.endpoint, "GET", "/metrics")
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(r.header("Content-Type"),
                         "text/plain; version=0.0.4; charset=utf-8")
        return r.body.decode()

    def test_promtool_accepts_the_exposition(self):
        promtool = shutil.which("promtool")
        self.assertIsNotNone(promtool, "promtool (Debian's prometheus) is"
                             " in scripts/deps.sh")
        self.iot.create_thing(thingName=unique_name("t"))
        text = self.scrape()
        r = subprocess.run([promtool, "check", "metrics"], input=text,
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

    def test_values_after_known_traffic(self):
        before = parse(self.scrape())
        names = sorted(unique_name("t") for _ in range(3))
        for n in names:
            self.iot.create_thing(thingName=n)
        with self.assertRaises(self.iot.exceptions.ResourceNotFoundException):
            self.iot.describe_thing(thingName="no-such-thing-here")
        job_id = unique_name("j")
        self.iot.create_job(jobId=job_id,
                            targets=[ARN + "thing/" + n for n in names],
                            document="{}",
                            jobExecutionsRolloutConfig={
                                "maximumPerMinute": 1})
        self.daemon.advance(60)
        self.daemon.data_client().update_job_execution(
            thingName=names[0], jobId=job_id, status="SUCCEEDED")
        cli.run_json(self, self.daemon, "job", "pause", job_id)
        s = parse(self.scrape())

        def grew(name, **labels):
            return (value(s, name, **labels) or 0) - \
                (value(before, name, **labels) or 0)

        self.assertEqual(grew("iotjobs_http_requests_total",
                              operation="CreateThing", plane="control",
                              status="200"), 3)
        self.assertEqual(grew("iotjobs_http_requests_total",
                              operation="DescribeThing", plane="control",
                              status="404"), 1)
        self.assertEqual(grew("iotjobs_http_requests_total",
                              operation="UpdateJobExecution", plane="data",
                              status="200"), 1)
        self.assertEqual(grew("iotjobs_http_requests_total",
                              operation="iotjobs:PauseJob", plane="control",
                              status="200"), 1)
        self.assertEqual(grew("iotjobs_http_request_duration_seconds_count",
                              operation="CreateThing", plane="control"), 3)
        self.assertEqual(grew("iotjobs_rollout_releases_total"), 2)
        self.assertGreaterEqual(grew("iotjobs_scheduler_lag_seconds_count"),
                                1)
        self.assertEqual(value(s, "iotjobs_scheduler_lag_seconds_bucket",
                               le="0"),
                         value(s, "iotjobs_scheduler_lag_seconds_count"))
        self.assertGreater(grew("iotjobs_store_commit_batch_size_count"), 0)
        self.assertEqual(value(s, "iotjobs_job_executions", job_id=job_id,
                               status="SUCCEEDED"), 1)
        self.assertEqual(value(s, "iotjobs_job_executions", job_id=job_id,
                               status="QUEUED"), 1)
        self.assertEqual(value(s, "iotjobs_job_waiting_things",
                               job_id=job_id), 1)
        self.assertEqual(value(s, "iotjobs_job_paused", job_id=job_id), 1)
        self.assertGreaterEqual(value(s, "iotjobs_jobs",
                                      status="IN_PROGRESS"), 1)
        self.assertGreaterEqual(value(s, "iotjobs_executions",
                                      status="SUCCEEDED"), 1)
        self.assertGreaterEqual(value(s, "iotjobs_rollout_waiting_things"), 1)
        self.assertEqual(value(s, "iotjobs_build_info", version="0.1.0"), 1)
        self.assertEqual(value(s, "iotjobs_leader"), 1)
        self.assertEqual(value(s, "iotjobs_mqtt_connected"), 0)
        self.assertEqual(value(s, "iotjobs_store_errors_total"), 0)
        self.assertGreaterEqual(grew("iotjobs_audit_records"), 5)

    def test_per_job_series_are_bounded(self):
        # --metrics-jobs 20 by default: never more jobs than that.
        (t,) = [unique_name("t")]
        self.iot.create_thing(thingName=t)
        for _ in range(22):
            self.iot.create_job(jobId=unique_name("j"),
                                targets=[ARN + "thing/" + t], document="{}")
        s = parse(self.scrape())
        jobs = {dict(k[1])["job_id"] for k in s
                if k[0] == "iotjobs_job_paused"}
        self.assertEqual(len(jobs), 20)

    def test_metrics_listener_and_method(self):
        text = self.scrape("http://127.0.0.1:%d" % self.metrics_port)
        self.assertIn("iotjobs_build_info", text)
        r = raw_request("http://127.0.0.1:%d" % self.metrics_port, "GET",
                        "/other")
        self.assertEqual(r.status, 404)
        r = raw_request(self.daemon.endpoint, "POST", "/metrics", body="")
        self.assertEqual((r.status, r.error_type),
                         (405, "InvalidRequestException"))
        r = raw_request(self.daemon.endpoint, "GET", "/metrics",
                        headers={"Authorization": "Bearer tok-123"})
        self.assertEqual(r.status, 200)
        s = cli.run_json(self, self.daemon, "status")
        self.assertIn({"kind": "metrics",
                       "address": "127.0.0.1:%d" % self.metrics_port},
                      s["listeners"])


if __name__ == "__main__":
    unittest.main()
