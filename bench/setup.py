"""Creates the fleet the round-trip benchmark drives: THINGS things named
PREFIX0..PREFIXn-1 in one group, and JOBS snapshot jobs for that group, so
every thing has JOBS queued executions. Usage: setup.py ENDPOINT THINGS JOBS
"""
import sys

import boto3
from botocore.config import Config


def main():
    endpoint, things, jobs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    iot = boto3.client('iot', endpoint_url=endpoint, region_name='us-east-1',
                       config=Config(retries={'total_max_attempts': 1}))
    iot.create_thing_group(thingGroupName='bench-fleet')
    group_arn = iot.describe_thing_group(
        thingGroupName='bench-fleet')['thingGroupArn']
    for i in range(things):
        iot.create_thing(thingName='bench-thing-%d' % i)
        iot.add_thing_to_thing_group(thingGroupName='bench-fleet',
                                     thingName='bench-thing-%d' % i)
    for j in range(jobs):
        iot.create_job(jobId='bench-job-%06d' % j, targets=[group_arn],
                       document='{"operation":"bench"}')


if __name__ == '__main__':
    main()
