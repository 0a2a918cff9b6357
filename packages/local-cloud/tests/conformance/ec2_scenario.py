"""The EC2 conformance scenario through boto3 (botocore's EC2 query/XML parser).

Run by tests/conformance/ec2-conformance.test.ts, which runs the same scenario through the
AWS SDK for JavaScript v3 and compares the two transcripts. Reads AWS_ENDPOINT_URL and
prints the transcript as JSON on stdout.
"""

import json
import os
import sys
import urllib.request

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

ENDPOINT = os.environ["AWS_ENDPOINT_URL"]
CONFIG = Config(retries={"max_attempts": 1, "mode": "standard"})


def client(region):
    return boto3.client("ec2", region_name=region, endpoint_url=ENDPOINT, config=CONFIG)


def advance(ms):
    request = urllib.request.Request(
        f"{ENDPOINT}/_shipyard/clock/advance",
        data=json.dumps({"ms": ms}).encode(),
        headers={"content-type": "application/json"},
        method="POST",
    )
    urllib.request.urlopen(request).read()


def tags(resource):
    return sorted([t["Key"], t["Value"]] for t in resource.get("Tags", []))


def snap(s):
    return {
        "id": s["SnapshotId"],
        "volumeId": s["VolumeId"],
        "state": s["State"],
        "progress": s["Progress"],
        "size": s["VolumeSize"],
        "encrypted": s["Encrypted"],
        "tags": tags(s),
    }


def image(i):
    return {
        "id": i["ImageId"],
        "name": i["Name"],
        "state": i["State"],
        "architecture": i["Architecture"],
        "virtualization": i["VirtualizationType"],
        "bootMode": i.get("BootMode"),
        "ena": i.get("EnaSupport"),
        "public": i["Public"],
        "mappings": [
            [m["DeviceName"], m["Ebs"]["SnapshotId"], m["Ebs"]["VolumeSize"], m["Ebs"]["VolumeType"]]
            for m in i["BlockDeviceMappings"]
        ],
        "source": [i.get("SourceImageRegion"), i.get("SourceImageId")],
        "tags": tags(i),
    }


def error(call):
    try:
        call()
    except ClientError as e:
        return {"error": e.response["Error"]["Code"], "message": e.response["Error"]["Message"]}
    return {"error": None}


def main():
    us = client("us-east-1")
    eu = client("eu-west-1")
    out = {}

    reservations = us.describe_instances(Filters=[{"Name": "tag:Name", "Values": ["conformance"]}])["Reservations"]
    instance = reservations[0]["Instances"][0]
    instance_id = instance["InstanceId"]
    out["instance"] = {
        "id": instance_id,
        "state": instance["State"]["Name"],
        "architecture": instance["Architecture"],
        "devices": [[m["DeviceName"], m["Ebs"]["VolumeId"]] for m in instance["BlockDeviceMappings"]],
    }
    root_volume = instance["BlockDeviceMappings"][0]["Ebs"]["VolumeId"]

    sets = []
    for _ in range(2):
        created = us.create_snapshots(
            InstanceSpecification={"InstanceId": instance_id},
            CopyTagsFromSource="volume",
            Description="conformance set",
            TagSpecifications=[{"ResourceType": "snapshot", "Tags": [{"Key": "Backup", "Value": "nightly"}]}],
        )
        sets.append([[s["SnapshotId"], s["VolumeId"], s["State"], tags(s)] for s in created["Snapshots"]])
    out["sets"] = sets
    single = us.create_snapshot(
        VolumeId=root_volume,
        Description="single",
        TagSpecifications=[{"ResourceType": "snapshot", "Tags": [{"Key": "Kind", "Value": "single"}]}],
    )
    out["single"] = snap(single)

    pages = []
    token = None
    while True:
        kwargs = {"OwnerIds": ["self"], "MaxResults": 5}
        if token:
            kwargs["NextToken"] = token
        page = us.describe_snapshots(**kwargs)
        pages.append([s["SnapshotId"] for s in page["Snapshots"]])
        token = page.get("NextToken")
        if not token:
            break
    out["pages"] = pages

    advance(10 * 60_000)
    completed = us.describe_snapshots(
        Filters=[{"Name": "status", "Values": ["completed"]}, {"Name": "tag:Backup", "Values": ["night*"]}]
    )
    out["completed"] = [snap(s) for s in completed["Snapshots"]]

    first_set = sets[0]
    registered = us.register_image(
        Name="conformance-image (1)",
        Description="from the first set",
        Architecture="x86_64",
        VirtualizationType="hvm",
        EnaSupport=True,
        BootMode="uefi",
        RootDeviceName="/dev/xvda",
        BlockDeviceMappings=[
            {"DeviceName": "/dev/xvda", "Ebs": {"SnapshotId": first_set[0][0], "VolumeType": "gp3", "DeleteOnTermination": True}},
            {"DeviceName": "/dev/sdf", "Ebs": {"SnapshotId": first_set[1][0], "VolumeSize": 120, "VolumeType": "gp3"}},
        ],
        TagSpecifications=[{"ResourceType": "image", "Tags": [{"Key": "App", "Value": "conformance"}]}],
    )
    image_id = registered["ImageId"]
    out["registered"] = image(us.describe_images(ImageIds=[image_id])["Images"][0])
    advance(2 * 60_000)
    out["available"] = image(us.describe_images(Owners=["self"])["Images"][0])

    us.modify_image_attribute(ImageId=image_id, LaunchPermission={"Add": [{"UserId": "111122223333"}, {"Group": "all"}]})
    us.modify_image_attribute(ImageId=image_id, Attribute="launchPermission", OperationType="remove", UserGroups=["all"])
    attribute = us.describe_image_attribute(ImageId=image_id, Attribute="launchPermission")
    out["launchPermissions"] = attribute["LaunchPermissions"]

    copy_args = dict(SourceRegion="us-east-1", SourceImageId=image_id, Name="conformance-copy", ClientToken="conformance-1", CopyImageTags=True)
    copied = eu.copy_image(**copy_args)
    replayed = eu.copy_image(**copy_args)
    out["copy"] = {
        "id": copied["ImageId"],
        "replayed": replayed["ImageId"],
        "mismatch": error(lambda: eu.copy_image(**{**copy_args, "Name": "other-name"})),
        "pending": image(eu.describe_images(ImageIds=[copied["ImageId"]])["Images"][0]),
    }
    advance(30 * 60_000)
    out["copy"]["available"] = image(eu.describe_images(ImageIds=[copied["ImageId"]])["Images"][0])
    out["copy"]["snapshots"] = [snap(s) for s in eu.describe_snapshots(OwnerIds=["self"])["Snapshots"]]
    out["copy"]["permissions"] = eu.describe_image_attribute(ImageId=copied["ImageId"], Attribute="launchPermission")["LaunchPermissions"]

    out["inUse"] = error(lambda: us.delete_snapshot(SnapshotId=first_set[0][0]))
    second = us.register_image(
        Name="conformance-second",
        RootDeviceName="/dev/xvda",
        BlockDeviceMappings=[{"DeviceName": "/dev/xvda", "Ebs": {"SnapshotId": first_set[0][0]}}],
    )
    deregistered = us.deregister_image(ImageId=image_id, DeleteAssociatedSnapshots=True)
    out["deregistered"] = {
        "return": deregistered["Return"],
        "results": [[r["SnapshotId"], r["ReturnCode"]] for r in deregistered["DeleteSnapshotResults"]],
        "second": second["ImageId"],
    }

    tagged = sets[1][0][0]
    us.create_tags(Resources=[tagged, root_volume], Tags=[{"Key": "Env", "Value": "prod"}, {"Key": "Keep", "Value": ""}])
    us.delete_tags(Resources=[tagged], Tags=[{"Key": "Backup"}, {"Key": "Keep", "Value": "other"}])
    out["tags"] = {
        "snapshot": snap(us.describe_snapshots(SnapshotIds=[tagged])["Snapshots"][0])["tags"],
        "volume": tags(us.describe_volumes(VolumeIds=[root_volume])["Volumes"][0]),
    }

    out["errors"] = [
        error(lambda: us.describe_snapshots(SnapshotIds=["snap-bad"])),
        error(lambda: us.describe_snapshots(SnapshotIds=["snap-0123456789abcdef0"])),
        error(lambda: us.describe_snapshots(SnapshotIds=[tagged], MaxResults=5)),
        error(lambda: us.describe_images(ImageIds=["ami-0123456789abcdef0"])),
        error(lambda: us.register_image(Name="bad#name", RootDeviceName="/dev/xvda")),
        error(lambda: eu.copy_image(SourceRegion="us-east-1", SourceImageId=image_id, Name="abc", KmsKeyId="alias/aws/ebs")),
        error(lambda: us.describe_instances(InstanceIds=["i-0123456789abcdef0"])),
        error(lambda: us.describe_volumes(VolumeIds=["vol-0123456789abcdef0"])),
    ]
    volumes = us.describe_volumes(Filters=[{"Name": "attachment.instance-id", "Values": [instance_id]}], MaxResults=5)
    out["volumes"] = [[v["VolumeId"], v["State"], v["Size"], v["Attachments"][0]["Device"], tags(v)] for v in volumes["Volumes"]]
    out["emptyRegion"] = [
        client("ap-south-1").describe_snapshots(OwnerIds=["self"])["Snapshots"],
        client("ap-south-1").describe_images(Owners=["self"])["Images"],
    ]
    json.dump(out, sys.stdout, default=str)


if __name__ == "__main__":
    main()
