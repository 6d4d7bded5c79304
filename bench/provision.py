"""Provisions one device for the HTTPS benchmark as AWS's tutorials do:
thing bench-thing-0's certificate (CreateKeysAndCertificate), a policy
allowing its own jobs, both attached. Writes DIR/device.crt and
DIR/device.key (mode 0600). Usage: provision.py ENDPOINT DIR
"""
import json
import os
import sys

import boto3
from botocore.config import Config


def main():
    endpoint, folder = sys.argv[1], sys.argv[2]
    iot = boto3.client('iot', endpoint_url=endpoint, region_name='us-east-1',
                       config=Config(retries={'total_max_attempts': 1}))
    out = iot.create_keys_and_certificate(setAsActive=True)
    iot.create_policy(policyName='bench-device', policyDocument=json.dumps({
        'Version': '2012-10-17',
        'Statement': [{
            'Effect': 'Allow', 'Action': 'iotjobsdata:*',
            'Resource': 'arn:aws:iot:us-east-1:123456789012:thing/'
                        '${iot:Connection.Thing.ThingName}'}]}))
    iot.attach_policy(policyName='bench-device',
                      target=out['certificateArn'])
    iot.attach_thing_principal(thingName='bench-thing-0',
                               principal=out['certificateArn'])
    for name, text in (('device.crt', out['certificatePem']),
                       ('device.key', out['keyPair']['PrivateKey'])):
        fd = os.open(os.path.join(folder, name),
                     os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, 'w') as f:
            f.write(text)


if __name__ == '__main__':
    main()
