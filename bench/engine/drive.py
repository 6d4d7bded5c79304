"""Drives iotjobsd for bench/engine.sh and prints figures.

  drive.py create ENDPOINT PID THINGS
      CreateJob bench-1m (SNAPSHOT, group bench-fleet, timeoutConfig) and
      DescribeJob until every thing has its execution: the answer's time,
      the rollout's time, the daemon's RSS.
  drive.py now ENDPOINT
      prints the jobs' clock (epoch seconds).
  drive.py timers ENDPOINT PID THINGS IDLE_SECONDS
      the daemon's CPU while THINGS timers are armed and none is due,
      then the time of a test-clock advance that expires all of them.
"""
import json
import os
import sys
import time

import boto3
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
import urllib.request

REGION = 'us-east-1'
JOB = 'bench-1m'
TIMEOUT_MINUTES = 60


def iot(endpoint):
    return boto3.client('iot', endpoint_url=endpoint, region_name=REGION,
                        config=Config(retries={'total_max_attempts': 1},
                                      read_timeout=3600))


def proc_status(pid):
    """VmRSS and VmHWM of PID, in MB."""
    out = {}
    with open('/proc/%d/status' % pid) as f:
        for line in f:
            k, _, v = line.partition(':')
            if k in ('VmRSS', 'VmHWM'):
                out[k] = int(v.split()[0]) / 1024.0
    return out


def cpu_seconds(pid):
    """User + system CPU time of PID so far, in seconds."""
    with open('/proc/%d/stat' % pid) as f:
        fields = f.read().rsplit(')', 1)[1].split()
    # Fields 14 and 15 (utime, stime) are 12 and 13 after the name.
    return (int(fields[11]) + int(fields[12])) / os.sysconf('SC_CLK_TCK')


def mem(label, pid):
    m = proc_status(pid)
    print('%-44s RSS %6.1f MB, peak (VmHWM) %6.1f MB' % (
        label, m['VmRSS'], m['VmHWM']))


def signed(endpoint, method, path, body):
    data = json.dumps(body).encode() if body is not None else None
    headers = {'Content-Type': 'application/json'} if data else {}
    req = AWSRequest(method=method, url=endpoint + path, data=data,
                     headers=headers)
    creds = Credentials(os.environ['AWS_ACCESS_KEY_ID'],
                        os.environ['AWS_SECRET_ACCESS_KEY'])
    SigV4Auth(creds, 'iot', REGION).add_auth(req)
    r = urllib.request.Request(endpoint + path, data=data, method=method,
                               headers=dict(req.headers.items()))
    with urllib.request.urlopen(r, timeout=3600) as resp:
        return json.loads(resp.read())


def create(endpoint, pid, things):
    c = iot(endpoint)
    group = c.describe_thing_group(thingGroupName='bench-fleet')
    mem('before CreateJob:', pid)
    t0 = time.monotonic()
    c.create_job(jobId=JOB, targets=[group['thingGroupArn']],
                 document='{"operation":"bench"}',
                 timeoutConfig={'inProgressTimeoutInMinutes':
                                TIMEOUT_MINUTES})
    t1 = time.monotonic()
    print('CreateJob for %d things answered in %.2f s' % (things, t1 - t0))
    while True:
        d = c.describe_job(jobId=JOB)['job']['jobProcessDetails']
        if d.get('numberOfQueuedThings', 0) >= things:
            break
        time.sleep(0.2)
    print('all %d executions QUEUED %.2f s after the request' % (
        things, time.monotonic() - t0))
    mem('after the rollout:', pid)


def timers(endpoint, pid, things, idle):
    c = iot(endpoint)
    d = c.describe_job(jobId=JOB)['job']['jobProcessDetails']
    armed = d.get('numberOfInProgressThings', 0)
    mem('%d timers armed, at start:' % armed, pid)
    before = cpu_seconds(pid)
    time.sleep(idle)
    used = cpu_seconds(pid) - before
    print('scheduler idle with %d armed timers: %.2f s CPU in %d s'
          ' (%.2f%% of a core)' % (armed, used, idle, 100.0 * used / idle))
    t0 = time.monotonic()
    signed(endpoint, 'POST', '/_iotjobs/clock',
           {'advanceSeconds': TIMEOUT_MINUTES * 60 + 60})
    t1 = time.monotonic()
    d = c.describe_job(jobId=JOB)['job']['jobProcessDetails']
    out = d.get('numberOfTimedOutThings', 0)
    print('clock advance expiring them: %.2f s, %d TIMED_OUT (%.0f/s)' % (
        t1 - t0, out, out / (t1 - t0) if t1 > t0 else 0))
    mem('after the advance:', pid)
    if out != things:
        print('expected %d TIMED_OUT executions, got %d' % (things, out))


def main():
    cmd = sys.argv[1]
    if cmd == 'create':
        create(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    elif cmd == 'now':
        print(signed(sys.argv[2], 'GET', '/_iotjobs/clock', None)['now'])
    elif cmd == 'timers':
        timers(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]),
               int(sys.argv[5]))
    else:
        sys.exit(__doc__)


if __name__ == '__main__':
    main()
