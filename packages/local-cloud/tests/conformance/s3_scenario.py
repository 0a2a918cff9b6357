"""The S3 conformance scenario through boto3 (botocore's REST-XML parser).

Run by tests/conformance/s3-conformance.test.ts, which runs the same scenario through the
AWS SDK for JavaScript v3 and compares the two transcripts. botocore asks ListObjectsV2
for encoding-type=url and decodes the keys itself, so this also checks that encoding.
Reads AWS_ENDPOINT_URL, prints the transcript as JSON on stdout.
"""

import json
import os

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

ENDPOINT = os.environ["AWS_ENDPOINT_URL"]
S3 = boto3.client(
    "s3",
    region_name="us-east-1",
    endpoint_url=ENDPOINT,
    config=Config(retries={"max_attempts": 1, "mode": "standard"}, s3={"addressing_style": "path"}),
)
KEYS = ["index.html", "docs/a b.html", "docs/img/logo+1.png", "docs/img/ünï.png", "docs/z.html", "top.css"]


def code(call):
    try:
        call()
        return "none"
    except ClientError as error:
        return [error.response["Error"]["Code"], error.response["ResponseMetadata"]["HTTPStatusCode"]]


def pages(**params):
    out, token = [], None
    while True:
        extra = {"ContinuationToken": token} if token else {}
        page = S3.list_objects_v2(Bucket="conformance", MaxKeys=2, **params, **extra)
        out.append(
            {
                "keys": [c["Key"] for c in page.get("Contents", [])],
                "etags": [c["ETag"] for c in page.get("Contents", [])],
                "sizes": [c["Size"] for c in page.get("Contents", [])],
                "prefixes": [p["Prefix"] for p in page.get("CommonPrefixes", [])],
                "keyCount": page["KeyCount"],
                "truncated": page["IsTruncated"],
            }
        )
        token = page.get("NextContinuationToken")
        if not token:
            return out


def main():
    t = {}
    S3.create_bucket(Bucket="conformance")
    t["recreate"] = code(lambda: S3.create_bucket(Bucket="conformance"))
    t["badName"] = code(lambda: S3.create_bucket(Bucket="Bad_Name"))
    t["puts"] = [
        S3.put_object(Bucket="conformance", Key=k, Body=f"body of {k}".encode(), ContentType="text/plain")["ETag"]
        for k in KEYS
    ]
    head = S3.head_object(Bucket="conformance", Key="docs/a b.html")
    t["head"] = [head["ContentLength"], head["ContentType"], head["ETag"]]
    got = S3.get_object(Bucket="conformance", Key="docs/img/ünï.png")
    t["get"] = [got["Body"].read().decode(), got["ContentType"], got["ETag"]]
    t["flatPages"] = pages()
    t["delimitedPages"] = pages(Delimiter="/")
    t["prefixPages"] = pages(Prefix="docs/img/")
    t["startAfter"] = [c["Key"] for c in S3.list_objects_v2(Bucket="conformance", StartAfter="docs/z.html")["Contents"]]
    t["missingKey"] = code(lambda: S3.get_object(Bucket="conformance", Key="nope"))
    t["headMissing"] = code(lambda: S3.head_object(Bucket="conformance", Key="nope"))
    t["missingBucket"] = code(lambda: S3.list_objects_v2(Bucket="absent"))
    S3.delete_object(Bucket="conformance", Key="top.css")
    deleted = S3.delete_objects(
        Bucket="conformance", Delete={"Objects": [{"Key": "index.html"}, {"Key": "never"}]}
    )
    t["deleted"] = sorted(d["Key"] for d in deleted.get("Deleted", []))
    t["left"] = [c["Key"] for c in S3.list_objects_v2(Bucket="conformance")["Contents"]]
    print(json.dumps(t))


main()
