# SPDX-License-Identifier: Apache-2.0
"""Integration-test harness: boots iotjobsd, hands out real AWS clients.

    from harness import DaemonTestCase, unique_name

run.sh puts tests/integration on PYTHONPATH.
"""

from .daemon import (ACCESS_KEY_ID, ACCOUNT_ID, CONTROL_SERVICE,  # noqa
                     DATA_SERVICE, REGION, SECRET_ACCESS_KEY, Daemon,
                     DaemonError, DaemonTestCase, Response, daemon_path,
                     free_port, raw_request, signed_request, sqlite_only,
                     store_dump, store_env, store_for,
                     store_sql,
                     unique_name)
