"""Drives iotjobsd for bench/dyngroup.sh and prints figures.

  drive.py update ENDPOINT PID LOG THINGS COUNT LABEL
      COUNT UpdateThing calls (after COUNT/5 not counted), one at a time
      on one keep-alive connection,
      each changing the indexed attribute fw of a random thing among
      THINGS (to 1.0 or 2.0 at random: with a dynamic group on fw:1.0
      about half join or leave it): client latency, the daemon's own
      time per request (the us= of its log LOG), median and p99, and the
      daemon's CPU time per request.
  drive.py create ENDPOINT PID NAME QUERY
      CreateDynamicThingGroup NAME with QUERY over the whole fleet: the
      answer's time, the members it found, the daemon's RSS.
"""
import http.client
import json
import os
import random
import re
import sys
import time
from urllib.parse import urlparse

import boto3
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials

REGION = 'us-east-1'


def iot(endpoint):
    return boto3.client('iot', endpoint_url=endpoint, region_name=REGION,
                        config=Config(retries={'total_max_attempts': 1},
                                      read_timeout=3600))


def rss(pid):
    with open('/proc/%d/status' % pid) as f:
        for line in f:
            k, _, v = line.partition(':')
            if k == 'VmHWM':
                return int(v.split()[0]) / 1024.0
    return 0.0


def cpu_seconds(pid):
    """User + system CPU time of PID so far, in seconds."""
    with open('/proc/%d/stat' % pid) as f:
        fields = f.read().rsplit(')', 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf('SC_CLK_TCK')


def pct(values, p):
    s = sorted(values)
    return s[min(len(s) - 1, int(len(s) * p))]


def log_times(log, op):
    with open(log) as f:
        return [int(m.group(1)) / 1000.0 for m in (
            re.search(r' us=(\d+)', line) for line in f
            if ' op=%s ' % op in line) if m]


def update(endpoint, pid, log, things, count, label):
    u = urlparse(endpoint)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
    creds = Credentials(os.environ['AWS_ACCESS_KEY_ID'],
                        os.environ['AWS_SECRET_ACCESS_KEY'])
    rnd = random.Random(15)
    lat = []
    warm = count // 5	# not counted: caches and the page cache fill
    before = len(log_times(log, 'UpdateThing')) + warm
    for i in range(warm + count):
        if i == warm:
            cpu = cpu_seconds(pid)
        name = 'dyn-%07d' % rnd.randrange(things)
        body = json.dumps({'attributePayload': {
            'attributes': {'fw': rnd.choice(['1.0', '2.0'])},
            'merge': True}}).encode()
        path = '/things/' + name
        req = AWSRequest(method='PATCH', url=endpoint + path, data=body,
                         headers={'Content-Type': 'application/json'})
        SigV4Auth(creds, 'iot', REGION).add_auth(req)
        t0 = time.monotonic()
        conn.request('PATCH', path, body=body,
                     headers=dict(req.headers.items()))
        r = conn.getresponse()
        r.read()
        if i >= warm:
            lat.append((time.monotonic() - t0) * 1000.0)
        if r.status != 200:
            sys.exit('UpdateThing %s: HTTP %d' % (name, r.status))
    cpu = (cpu_seconds(pid) - cpu) * 1e6 / count
    server = log_times(log, 'UpdateThing')[before:]
    print('%-32s client p50 %5.2f ms p99 %5.2f ms; daemon p50 %5.2f ms'
          ' p99 %5.2f ms, CPU %4.0f us a call (%d calls)' % (
              label, pct(lat, 0.5), pct(lat, 0.99), pct(server, 0.5),
              pct(server, 0.99), cpu, count))


def create(endpoint, pid, name, query):
    c = iot(endpoint)
    t0 = time.monotonic()
    c.create_dynamic_thing_group(thingGroupName=name, queryString=query)
    t1 = time.monotonic()
    n = 0
    for page in c.get_paginator('list_things_in_thing_group').paginate(
            thingGroupName=name, PaginationConfig={'PageSize': 250}):
        n += len(page['things'])
    print('CreateDynamicThingGroup %-32r %6.2f s, %d members (peak RSS'
          ' %.0f MB)' % (query, t1 - t0, n, rss(pid)))


def main():
    cmd = sys.argv[1]
    if cmd == 'update':
        update(sys.argv[2], int(sys.argv[3]), sys.argv[4],
               int(sys.argv[5]), int(sys.argv[6]), sys.argv[7])
    elif cmd == 'create':
        create(sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5])
    else:
        sys.exit(__doc__)


if __name__ == '__main__':
    main()
