"""The ELBv2 and SSM Run Command conformance scenario through boto3 (botocore's query and JSON parsers).

Run by tests/conformance/probe-conformance.test.ts, which runs the same scenario through the
AWS SDK for JavaScript v3 and compares the two transcripts. Reads AWS_ENDPOINT_URL and the
seeded ids from argv[1] (JSON), prints the transcript as JSON on stdout.
"""

import json
import os
import sys

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

ENDPOINT = os.environ["AWS_ENDPOINT_URL"]
IDS = json.loads(sys.argv[1])
CONFIG = Config(retries={"max_attempts": 1, "mode": "standard"})
ELB = boto3.client("elbv2", region_name="us-west-1", endpoint_url=ENDPOINT, config=CONFIG)
SSM = boto3.client("ssm", region_name="ap-south-1", endpoint_url=ENDPOINT, config=CONFIG)


def code(call):
    try:
        call()
        return "none"
    except ClientError as error:
        return error.response["Error"]["Code"]


def main():
    t = {}
    pages = []
    marker = None
    while True:
        args = {"LoadBalancerArn": IDS["loadBalancerArn"], "PageSize": 2}
        if marker:
            args["Marker"] = marker
        page = ELB.describe_target_groups(**args)
        pages.append([[g["TargetGroupName"], g["Port"], g["LoadBalancerArns"]] for g in page["TargetGroups"]])
        marker = page.get("NextMarker")
        if not marker:
            break
    t["targetGroups"] = pages
    health = ELB.describe_target_health(TargetGroupArn=IDS["targetGroupArn"])
    t["health"] = [
        [d["Target"]["Id"], d["TargetHealth"]["State"], d["TargetHealth"].get("Reason")]
        for d in health["TargetHealthDescriptions"]
    ]
    t["missingLoadBalancer"] = code(lambda: ELB.describe_target_groups(LoadBalancerArn=IDS["missingArn"]))
    command = SSM.send_command(
        DocumentName="AWS-RunShellScript",
        InstanceIds=[IDS["instanceId"]],
        Parameters={"commands": ["curl -sS -o /dev/null -w '%{http_code}' 'http://localhost:80/'"]},
        TimeoutSeconds=60,
    )["Command"]
    t["command"] = [len(command["CommandId"]), command["Status"], command["InstanceIds"]]
    invocation = SSM.get_command_invocation(CommandId=command["CommandId"], InstanceId=IDS["instanceId"])
    t["invocation"] = [invocation["Status"], invocation["ResponseCode"], invocation["StandardOutputContent"]]
    t["unknownCommand"] = code(
        lambda: SSM.get_command_invocation(CommandId="00000000-0000-4000-8000-00000000dead", InstanceId=IDS["instanceId"])
    )
    t["notManaged"] = code(
        lambda: SSM.send_command(
            DocumentName="AWS-RunShellScript", InstanceIds=["i-0000000000000dead"], Parameters={"commands": ["true"]}
        )
    )
    print(json.dumps(t))


main()
