# SPDX-License-Identifier: Apache-2.0
"""A daemon without MQTT keeps no notification or event backlog: the
outboxes fill only while an MQTT notifier drains them."""

import unittest

from harness.daemon import Daemon, unique_name, store_sql, REGION, ACCOUNT_ID


class OutboxWithoutMqttTest(unittest.TestCase):

    def test_no_outbox_rows_without_mqtt(self):
        d = Daemon()
        try:
            iot, data = d.iot_client(), d.data_client()
            thing = unique_name("ob")
            iot.create_thing(thingName=thing)
            job = unique_name("job")
            iot.create_job(jobId=job, document="{}", targets=[
                "arn:aws:iot:%s:%s:thing/%s" % (REGION, ACCOUNT_ID, thing)])
            data.start_next_pending_job_execution(thingName=thing)
            data.update_job_execution(thingName=thing, jobId=job,
                                      status="SUCCEEDED")
            d.stop()
            for table in ("notify_outbox", "event_outbox"):
                [[n]] = store_sql(d.data_dir, "SELECT count(*) FROM %s" %
                                  table)
                self.assertEqual(int(n), 0, table)
            [[status]] = store_sql(
                d.data_dir, "SELECT status FROM executions WHERE job_id = ?",
                (job,))
            self.assertEqual(status, "SUCCEEDED")
        finally:
            d.close()


if __name__ == "__main__":
    unittest.main()
