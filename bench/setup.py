"""Creates the fleet the round-trip benchmark drives: THINGS things named
PREFIX0..PREFIXn-1 (bench-thing-) in one group (bench-fleet), and JOBS
snapshot jobs for that group, so every thing has JOBS queued executions.
Usage: setup.py ENDPOINT THINGS JOBS [PREFIX GROUP]
"""
import sys

import boto3
from botocore.config import Config


def main():
    endpoint, things, jobs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    prefix = sys.argv[4] if len(sys.argv) > 4 else 'bench-thing-'
    group = sys.argv[5] if len(sys.argv) > 5 else 'bench-fleet'
    iot = boto3.client('iot', endpoint_url=endpoint, region_name='us-east-1',
                       config=Config(retries={'total_max_attempts': 1}))
    iot.create_thing_group(thingGroupName=group)
    group_arn = iot.describe_thing_group(
        thingGroupName=group)['thingGroupArn']
    for i in range(things):
        iot.create_thing(thingName='%s%d' % (prefix, i))
        iot.add_thing_to_thing_group(thingGroupName=group,
                                     thingName='%s%d' % (prefix, i))
    for j in range(jobs):
        iot.create_job(jobId='%s-job-%06d' % (group, j), targets=[group_arn],
                       document='{"operation":"bench"}')


if __name__ == '__main__':
    main()
