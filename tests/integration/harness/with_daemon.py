# SPDX-License-Identifier: Apache-2.0
"""Runs one command against a fresh iotjobsd; used by the CLI tests.

    python3 tests/integration/harness/with_daemon.py CMD [ARG...]

Starts a Daemon (see daemon.py) with an HTTPS listener too, runs CMD with
IOTJOBS_ENDPOINT, IOTJOBS_TLS_PORT (the HTTPS listener's port),
IOTJOBS_TEST_DATA_DIR (the daemon's data folder) and the AWS_* credential
variables of the test admin set, isolated from any
~/.aws configuration and with client retries off, then stops the daemon.
Exits with CMD's status, or 1 when the daemon did not exit 0.
"""

import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                ".."))

from harness.daemon import (ACCESS_KEY_ID, REGION,  # noqa: E402
                            SECRET_ACCESS_KEY, Daemon, DaemonError,
                            free_port)


def client_env(endpoint):
    """The environment an AWS CLI or SDK needs to talk to ENDPOINT."""
    env = dict(os.environ)
    for k in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN",
              "AWS_ENDPOINT_URL"):
        env.pop(k, None)
    env.update({
        "IOTJOBS_ENDPOINT": endpoint,
        "AWS_ACCESS_KEY_ID": ACCESS_KEY_ID,
        "AWS_SECRET_ACCESS_KEY": SECRET_ACCESS_KEY,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_PAGER": "",
        "AWS_RETRY_MODE": "standard",
        "AWS_MAX_ATTEMPTS": "1",
        "AWS_EC2_METADATA_DISABLED": "true",
    })
    return env


def main(argv):
    if not argv:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    tls_port = free_port()
    d = Daemon(args=["--tls-listen", "127.0.0.1:%d" % tls_port])
    env = client_env(d.endpoint)
    env["IOTJOBS_TLS_PORT"] = str(tls_port)
    env["IOTJOBS_TEST_DATA_DIR"] = d.data_dir
    try:
        rc = subprocess.call(argv, env=env)
    except BaseException:
        d.kill9()
        raise
    if rc != 0:
        print("with_daemon: daemon log:\n%s" % d.log_text(40),
              file=sys.stderr)
    try:
        d.close()
    except DaemonError as e:
        print("with_daemon: %s" % e, file=sys.stderr)
        return rc or 1
    return rc


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
