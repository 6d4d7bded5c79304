# SPDX-License-Identifier: Apache-2.0
"""--store URL: the store chosen at start, the data folder's default kept."""
import os
import tempfile
import unittest

from harness.daemon import Daemon, DaemonError, sqlite_only, unique_name


class StoreUrlTest(unittest.TestCase):
    def test_sqlite_url_puts_the_store_at_its_path(self):
        where = tempfile.mkdtemp(prefix="iotjobs-store-")
        path = os.path.join(where, "fleet.db")
        d = Daemon(args=["--store", "sqlite:" + path])
        try:
            name = unique_name("url")
            d.iot_client().create_thing(thingName=name)
            self.assertTrue(os.path.exists(path))
            self.assertFalse(os.path.exists(
                os.path.join(d.data_dir, "iotjobs.db")))
            self.assertEqual(os.stat(path).st_mode & 0o077, 0)
            d.restart(kill=True)
            got = d.iot_client().describe_thing(thingName=name)
            self.assertEqual(got["thingName"], name)
        finally:
            d.close()
            for f in os.listdir(where):
                os.unlink(os.path.join(where, f))
            os.rmdir(where)

    def test_environment_names_the_store(self):
        where = tempfile.mkdtemp(prefix="iotjobs-store-")
        path = os.path.join(where, "env.db")
        d = Daemon(env={"IOTJOBS_STORE": "sqlite:" + path})
        try:
            d.iot_client().create_thing(thingName=unique_name("env"))
            self.assertTrue(os.path.exists(path))
        finally:
            d.close()
            for f in os.listdir(where):
                os.unlink(os.path.join(where, f))
            os.rmdir(where)

    @sqlite_only
    def test_default_is_the_data_folder(self):
        with Daemon() as d:
            d.iot_client().create_thing(thingName=unique_name("dflt"))
            self.assertTrue(os.path.exists(
                os.path.join(d.data_dir, "iotjobs.db")))

    def test_unknown_scheme_is_refused_by_name(self):
        for url in ("mysql://127.0.0.1/iot", "bogus:x"):
            d = Daemon(args=["--store", url], start=False)
            try:
                with self.assertRaises(DaemonError) as cm:
                    d.start()
                scheme = url.split(":")[0] + ":"
                self.assertIn("unknown store URL scheme in " + scheme,
                              str(cm.exception))
                self.assertFalse(os.path.exists(url))
            finally:
                d.close()


if __name__ == "__main__":
    unittest.main()
