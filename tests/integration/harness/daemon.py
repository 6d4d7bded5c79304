# SPDX-License-Identifier: Apache-2.0
"""Boots iotjobsd for integration tests and hands out real AWS clients.

Each Daemon runs $IOTJOBSD (an absolute path) on a free 127.0.0.1 port
with a fresh temporary data folder and the fixed test credentials, and
keeps its stderr in a log file next to the data folder. Clients are the
unmodified boto3 clients (whichever boto3 the running python3 has: the
pyenv 1.43 line or Debian's 1.26, which signs the control plane as
execute-api), plus raw HTTP helpers for requests the SDKs will not make.

Standard library and boto3 only: tests are plain unittest.
"""

import atexit
import hashlib
import http.client
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import unittest
import urllib.parse
import uuid

import boto3
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials

# The admin credential every test daemon is started with.
ACCESS_KEY_ID = "AKIAIOTJOBSTEST00001"
SECRET_ACCESS_KEY = "iotjobs/TEST/secret+key/0123456789abcdef"
REGION = "us-east-1"
ACCOUNT_ID = "123456789012"

DATA_SERVICE = "iot-jobs-data"
CONTROL_SERVICE = "iot"

START_TIMEOUT = 10.0
STOP_TIMEOUT = 10.0

_live = set()


@atexit.register
def _kill_leftovers():
    """A test run that dies must not leave daemons holding ports."""
    for d in list(_live):
        d.kill9()


def daemon_path():
    """The daemon under test: $IOTJOBSD, else build/iotjobsd of this tree."""
    path = os.environ.get("IOTJOBSD")
    if not path:
        here = os.path.dirname(os.path.abspath(__file__))
        path = os.path.join(here, "..", "..", "..", "build", "iotjobsd")
    path = os.path.abspath(path)
    if not os.access(path, os.X_OK):
        raise RuntimeError("iotjobsd not found or not executable: %s "
                           "(set IOTJOBSD to its absolute path)" % path)
    return path


# Ports handed to the servers a test starts come from below Linux's
# ephemeral range (32768-60999): a port the kernel picked for bind(0) may
# be taken again by any outgoing connection before the server binds it.
PORT_LOW, PORT_HIGH = 20000, 32767


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    for _ in range(200):
        port = random.randint(PORT_LOW, PORT_HIGH)
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in %d-%d" % (PORT_LOW, PORT_HIGH))


def unique_name(prefix="t"):
    """A name valid as thingName, jobId and group name, unique per call."""
    return "%s-%s" % (prefix, uuid.uuid4().hex[:12])


def store_for(data_dir):
    """The --store URL of a daemon on DATA_DIR, or None for the default.

    With IOTJOBS_TEST_PG (the URL of a private PostgreSQL server, see
    tests/pg/with_pg.sh) every data folder has a schema of its own there,
    named after the folder, so that daemons sharing a folder (a second
    node, a restart) share the store too.
    """
    pg = os.environ.get("IOTJOBS_TEST_PG")
    if not pg:
        return None
    h = hashlib.sha256(os.path.abspath(data_dir).encode()).hexdigest()
    return "%s&options=-csearch_path%%3Dit_%s" % (pg, h[:20])


def store_env(data_dir):
    """Environment for an iotjobsd subcommand on DATA_DIR's store."""
    env = {"IOTJOBS_DATA_DIR": data_dir}
    url = store_for(data_dir)
    if url:
        env["IOTJOBS_STORE"] = url
    return env


def store_sql(data_dir, statement, args=()):
    """Runs STATEMENT (? placeholders for ARGS) on DATA_DIR's store behind
    the daemon's back, committed; returns its rows as lists of strings
    (PostgreSQL) or values (SQLite). For tests that must see or break
    what no API shows."""
    url = store_for(data_dir)
    if not url:
        import sqlite3
        db = sqlite3.connect(os.path.join(data_dir, "iotjobs.db"),
                             timeout=10)
        try:
            rows = [list(r) for r in db.execute(statement, args)]
            db.commit()
            return rows
        finally:
            db.close()
    # psql interpolates :'aN' (quoted) only in what it reads, not in -c.
    parts = statement.split("?")
    if len(parts) != len(args) + 1:
        raise ValueError("placeholders and arguments differ")
    text = parts[0] + "".join(":'a%d'%s" % (i, p)
                              for i, p in enumerate(parts[1:]))
    cmd = ["psql", url, "-X", "-q", "-At", "-F", "\t", "-v",
           "ON_ERROR_STOP=1"]
    for i, a in enumerate(args):
        cmd += ["-v", "a%d=%s" % (i, a)]
    r = subprocess.run(cmd, input=text + ";\n", capture_output=True,
                       text=True, timeout=30)
    if r.returncode != 0:
        raise RuntimeError("psql: %s" % r.stderr)
    return [line.split("\t") for line in r.stdout.splitlines()]


def store_dump(data_dir):
    """What DATA_DIR's store holds outside the folder, as bytes: for a
    PostgreSQL store its schema's pg_dump (so that a test looking for a
    secret in the files looks there too); None for SQLite, whose store is
    a file of the folder."""
    url = store_for(data_dir)
    if not url:
        return None
    schema = url.rsplit("%3D", 1)[1]
    r = subprocess.run(["pg_dump", "-n", schema, url.split("&options=")[0]],
                       capture_output=True, timeout=60)
    if r.returncode != 0:
        raise RuntimeError("pg_dump: %s" % r.stderr.decode())
    return r.stdout


# For a test that reads or changes the SQLite file under the daemon.
sqlite_only = unittest.skipIf(os.environ.get("IOTJOBS_TEST_PG"),
                              "looks at the SQLite store's file")


class DaemonError(RuntimeError):
    """The daemon failed to start, or exited badly; carries its log."""


class Daemon:
    """One iotjobsd process with its own port and data folder.

    Usable as a context manager: started on entry, stopped (and asserted to
    exit 0) on exit. restart() keeps the port and the data folder, so
    durability tests can kill9(), restart() and read back.
    """

    def __init__(self, args=(), test_clock=False, env=None, start=True):
        self.binary = daemon_path()
        self.port = free_port()
        self.host = "127.0.0.1"
        self.endpoint = "http://%s:%d" % (self.host, self.port)
        self.workdir = tempfile.mkdtemp(prefix="iotjobs-it-")
        self.data_dir = os.path.join(self.workdir, "data")
        self.log_path = os.path.join(self.workdir, "iotjobsd.log")
        os.mkdir(self.data_dir, 0o700)
        self.args = list(args)
        if test_clock:
            self.args.append("--test-clock")
        self.extra_env = dict(env or {})
        self.proc = None
        self._log = None
        if start:
            try:
                self.start()
            except BaseException:
                self._remove_workdir()
                raise

    # -- lifecycle ----------------------------------------------------

    def command(self):
        store = []
        url = store_for(self.data_dir)
        if url and "IOTJOBS_STORE" not in self.extra_env and not any(
                a == "--store" or a.startswith("--store=")
                for a in self.args):
            store = ["--store", url]
        return [self.binary,
                "--listen", "%s:%d" % (self.host, self.port),
                "--data-dir", self.data_dir,
                "--region", REGION,
                "--account-id", ACCOUNT_ID] + store + self.args

    def start(self):
        """Starts the process and waits until the port accepts."""
        if self.proc is not None:
            raise DaemonError("iotjobsd already running")
        # Settings come from flags only: drop any IOTJOBS_* of the caller.
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("IOTJOBS_")}
        env["IOTJOBS_ACCESS_KEY_ID"] = ACCESS_KEY_ID
        env["IOTJOBS_SECRET_ACCESS_KEY"] = SECRET_ACCESS_KEY
        # No configuration file, not even an installed one.
        env["IOTJOBS_CONFIG"] = ""
        env.update(self.extra_env)
        self._log = open(self.log_path, "ab")
        self._log.write(("--- %s\n" % " ".join(self.command())).encode())
        self._log.flush()
        self.proc = subprocess.Popen(self.command(), env=env,
                                     stdin=subprocess.DEVNULL,
                                     stdout=self._log, stderr=self._log)
        _live.add(self)
        self._wait_listening()
        return self

    def _wait_listening(self):
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            rc = self.proc.poll()
            if rc is not None:
                self._reap()
                raise DaemonError("iotjobsd exited with %s while starting:"
                                  "\n%s" % (rc, self.log_text()))
            try:
                with socket.create_connection((self.host, self.port),
                                              timeout=0.5):
                    return
            except OSError:
                pass
            if time.monotonic() > deadline:
                self.kill9()
                raise DaemonError("iotjobsd did not listen on %s within "
                                  "%.0f s:\n%s" % (self.endpoint,
                                                   START_TIMEOUT,
                                                   self.log_text()))
            time.sleep(0.02)

    def _reap(self):
        _live.discard(self)
        self.proc = None
        if self._log is not None:
            self._log.close()
            self._log = None

    @property
    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self):
        """SIGTERM, wait, and fail unless the daemon exited 0.

        Under the sanitizers a leak or UB report turns into a non-zero
        exit here, so every test class checks for them at teardown.
        """
        if self.proc is None:
            return
        proc = self.proc
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
        try:
            rc = proc.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            self._reap()
            raise DaemonError("iotjobsd did not exit within %.0f s of "
                              "SIGTERM:\n%s" % (STOP_TIMEOUT,
                                                self.log_text()))
        self._reap()
        if rc != 0:
            raise DaemonError("iotjobsd exited %d after SIGTERM (expected "
                              "0):\n%s" % (rc, self.log_text()))

    def kill9(self):
        """SIGKILL without any chance to clean up (durability tests)."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        self._reap()

    def restart(self, kill=False):
        """Stops (or kill9s) and starts again on the same port and data."""
        if kill:
            self.kill9()
        else:
            self.stop()
        return self.start()

    def close(self):
        """Stops the daemon and removes its folder (unless IOTJOBS_KEEP)."""
        try:
            self.stop()
        finally:
            self._remove_workdir()

    def _remove_workdir(self):
        if not os.environ.get("IOTJOBS_KEEP"):
            shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self):
        if self.proc is None:
            self.start()
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None:
            # Keep the original failure; the daemon still must go away.
            self.kill9()
            self._remove_workdir()
            return False
        self.close()
        return False

    def log_text(self, tail=200):
        """The last TAIL lines the daemon wrote to stderr/stdout."""
        try:
            with open(self.log_path, "rb") as f:
                lines = f.read().decode("utf-8", "replace").splitlines()
        except OSError:
            return "(no log)"
        return "\n".join(lines[-tail:])

    # -- SDK clients --------------------------------------------------

    def _client(self, service, access_key, secret_key, region, config):
        cfg = Config(retries={"total_max_attempts": 1})
        if config is not None:
            cfg = cfg.merge(config)
        return boto3.client(service, endpoint_url=self.endpoint,
                            region_name=region,
                            aws_access_key_id=access_key,
                            aws_secret_access_key=secret_key,
                            config=cfg)

    def data_client(self, access_key=ACCESS_KEY_ID,
                    secret_key=SECRET_ACCESS_KEY, region=REGION,
                    config=None):
        """boto3 'iot-jobs-data' client on this daemon, no retries."""
        return self._client("iot-jobs-data", access_key, secret_key,
                            region, config)

    def iot_client(self, access_key=ACCESS_KEY_ID,
                   secret_key=SECRET_ACCESS_KEY, region=REGION,
                   config=None):
        """boto3 'iot' (control plane) client on this daemon, no retries."""
        return self._client("iot", access_key, secret_key, region, config)

    # -- test clock (iotjobsd --test-clock) ----------------------------

    def now(self):
        """The daemon's jobs clock, epoch seconds (GET /_iotjobs/clock)."""
        return self._clock("GET", None)

    def advance(self, seconds):
        """Moves the jobs clock SECONDS forward; every deadline reached
        has run when this returns. Returns the new time."""
        return self._clock("POST", {"advanceSeconds": int(seconds)})

    def _clock(self, method, body):
        r = self.signed_request(method, "/_iotjobs/clock", body=body,
                                service=CONTROL_SERVICE)
        if r.status != 200:
            raise DaemonError("%s /_iotjobs/clock: %d %s" % (
                method, r.status, r.body[:200]))
        return r.json()["now"]

    # -- raw HTTP -----------------------------------------------------

    def signed_request(self, method, path, body=None, headers=None,
                       query=None, service=DATA_SERVICE, **kw):
        """A SigV4-signed request; see signed_request()."""
        return signed_request(self.endpoint, method, path, body=body,
                              headers=headers, query=query,
                              service=service, **kw)

    def raw_request(self, method, path, body=None, headers=None,
                    query=None):
        """An unsigned request; see raw_request()."""
        return raw_request(self.endpoint, method, path, body=body,
                           headers=headers, query=query)


class Response:
    """What a raw request got back: status, headers, body bytes."""

    def __init__(self, status, reason, headers, body):
        self.status = status
        self.reason = reason
        self.headers = headers          # http.client.HTTPMessage
        self.body = body

    def header(self, name, default=None):
        """A response header, case-insensitively."""
        return self.headers.get(name, default)

    @property
    def error_type(self):
        """x-amzn-ErrorType, as AWS clients read it (cut at ':')."""
        v = self.header("x-amzn-ErrorType")
        return None if v is None else v.split(":", 1)[0]

    @property
    def request_id(self):
        return self.header("x-amzn-RequestId")

    def json(self):
        return json.loads(self.body.decode("utf-8")) if self.body else {}

    def __repr__(self):
        return "<Response %d %s %r>" % (self.status, self.error_type,
                                        self.body[:200])


def _encode_body(body, headers):
    if body is None:
        return None
    if isinstance(body, (dict, list)):
        body = json.dumps(body)
        if not any(k.lower() == "content-type" for k in headers):
            headers["Content-Type"] = "application/json"
    if isinstance(body, str):
        body = body.encode("utf-8")
    return body


def _url(endpoint, path, query):
    url = endpoint.rstrip("/") + path
    if query:
        if isinstance(query, str):
            url += "?" + query
        else:
            url += "?" + urllib.parse.urlencode(query,
                                                quote_via=urllib.parse.quote)
    return url


def _send(method, url, body, headers, timeout=10.0):
    parts = urllib.parse.urlsplit(url)
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    conn = http.client.HTTPConnection(parts.hostname, parts.port,
                                      timeout=timeout)
    try:
        conn.request(method, target, body=body, headers=headers)
        r = conn.getresponse()
        data = r.read()
        return Response(r.status, r.reason, r.headers, data)
    finally:
        conn.close()


def raw_request(endpoint, method, path, body=None, headers=None,
                query=None):
    """Sends METHOD PATH (already percent-encoded) without any signature.

    BODY may be bytes, str, or a dict/list sent as JSON. QUERY is a dict
    or an already-encoded string. Returns a Response.
    """
    headers = dict(headers or {})
    data = _encode_body(body, headers)
    return _send(method, _url(endpoint, path, query), data, headers)


def signed_request(endpoint, method, path, body=None, headers=None,
                   query=None, service=DATA_SERVICE,
                   access_key=ACCESS_KEY_ID, secret_key=SECRET_ACCESS_KEY,
                   region=REGION, token=None):
    """Sends a request signed by botocore's SigV4Auth, as boto3 would.

    Every header given is signed (SigV4Auth signs all but a few); the
    signature covers host, x-amz-date and the body hash. SERVICE is the
    credential-scope service name: 'iot-jobs-data' for the data plane,
    'iot' or 'execute-api' for the control plane.
    """
    headers = dict(headers or {})
    data = _encode_body(body, headers)
    url = _url(endpoint, path, query)
    req = AWSRequest(method=method, url=url, data=data, headers=headers)
    creds = Credentials(access_key, secret_key, token)
    SigV4Auth(creds, service, region).add_auth(req)
    return _send(method, url, data, dict(req.headers.items()))


class DaemonTestCase(unittest.TestCase):
    """One daemon per test class: started in setUpClass, stopped (exit 0
    asserted) in tearDownClass. Subclasses may set daemon_args and
    test_clock. Gives cls.daemon, cls.data (iot-jobs-data) and cls.iot.
    """

    daemon_args = ()
    test_clock = False

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.daemon = Daemon(args=cls.daemon_args, test_clock=cls.test_clock)
        cls.addClassCleanup(cls.daemon.close)
        cls.data = cls.daemon.data_client()
        cls.iot = cls.daemon.iot_client()

    @classmethod
    def tearDownClass(cls):
        # close() runs as a class cleanup, which unittest reports as an
        # error of the class when the daemon does not exit 0.
        super().tearDownClass()

    def requireOperation(self, client, name):
        """Skips the test when this boto3 lacks operation NAME (Debian's
        botocore 1.29 predates the commands API, for example)."""
        if not hasattr(client, name):
            import botocore
            self.skipTest("botocore %s has no %s.%s" % (
                botocore.__version__,
                client.meta.service_model.service_name, name))

    def assertClientError(self, exc, code, status):
        """Asserts a botocore ClientError's code and HTTP status."""
        err = exc.response.get("Error", {})
        meta = exc.response.get("ResponseMetadata", {})
        self.assertEqual((err.get("Code"), meta.get("HTTPStatusCode")),
                         (code, status), exc.response)
