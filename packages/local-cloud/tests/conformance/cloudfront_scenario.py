"""The CloudFront conformance scenario through boto3 (botocore's REST-XML parser).

Run by tests/conformance/cloudfront-conformance.test.ts, which runs the same scenario
through the AWS SDK for JavaScript v3 and compares the two transcripts. Reads
AWS_ENDPOINT_URL and INVALIDATION_MS, prints the transcript as JSON on stdout.
"""

import json
import os
import urllib.request

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

ENDPOINT = os.environ["AWS_ENDPOINT_URL"]
INVALIDATION_MS = int(os.environ["INVALIDATION_MS"])
CF = boto3.client(
    "cloudfront",
    region_name="us-east-1",
    endpoint_url=ENDPOINT,
    config=Config(retries={"max_attempts": 1, "mode": "standard"}),
)


def advance(ms):
    request = urllib.request.Request(
        f"{ENDPOINT}/_shipyard/clock/advance",
        data=json.dumps({"ms": ms}).encode(),
        headers={"content-type": "application/json"},
        method="POST",
    )
    urllib.request.urlopen(request).read()


def invalidate(distribution_id, reference, paths):
    try:
        out = CF.create_invalidation(
            DistributionId=distribution_id,
            InvalidationBatch={
                "CallerReference": reference,
                "Paths": {"Quantity": len(paths), "Items": paths},
            },
        )
    except ClientError as error:
        return {"error": error.response["Error"]["Code"], "status": error.response["ResponseMetadata"]["HTTPStatusCode"]}
    inv = out["Invalidation"]
    return {
        "id": inv["Id"],
        "status": inv["Status"],
        "paths": inv["InvalidationBatch"]["Paths"]["Items"],
        "location": out["Location"],
    }


def distribution_pages():
    pages, marker = [], ""
    while True:
        out = CF.list_distributions(MaxItems="2", Marker=marker)["DistributionList"]
        pages.append(
            {
                "ids": [d["Id"] for d in out.get("Items", [])],
                "comments": [d["Comment"] for d in out.get("Items", [])],
                "truncated": out["IsTruncated"],
                "quantity": out["Quantity"],
            }
        )
        if not out["IsTruncated"]:
            return pages
        marker = out["NextMarker"]


def invalidation_pages(distribution_id):
    pages, marker = [], ""
    while True:
        out = CF.list_invalidations(DistributionId=distribution_id, MaxItems="2", Marker=marker)["InvalidationList"]
        pages.append(
            {
                "items": [[i["Id"], i["Status"], sorted(i.keys())] for i in out.get("Items", [])],
                "truncated": out["IsTruncated"],
            }
        )
        if not out["IsTruncated"]:
            return pages
        marker = out["NextMarker"]


def main():
    transcript = {}
    dist = CF.get_distribution(Id="E1SITE00000001")
    transcript["distribution"] = {
        "id": dist["Distribution"]["Id"],
        "domain": dist["Distribution"]["DomainName"],
        "origins": [
            [o["Id"], o["DomainName"], o["OriginPath"]]
            for o in dist["Distribution"]["DistributionConfig"]["Origins"]["Items"]
        ],
        "aliases": dist["Distribution"]["DistributionConfig"]["Aliases"]["Items"],
        "etagMatchesConfig": dist["ETag"] == CF.get_distribution_config(Id="E1SITE00000001")["ETag"],
    }
    transcript["distributionPages"] = distribution_pages()
    transcript["first"] = invalidate("E1SITE00000001", "deploy-1", ["/index.html", "/docs/*"])
    transcript["retry"] = invalidate("E1SITE00000001", "deploy-1", ["/index.html", "/docs/*"])
    transcript["conflict"] = invalidate("E1SITE00000001", "deploy-1", ["/other.html"])
    transcript["badPath"] = invalidate("E1SITE00000001", "deploy-bad", ["index.html"])
    transcript["underEncoded"] = invalidate("E1SITE00000001", "deploy-space", ["/a b.html"])
    transcript["missing"] = invalidate("E0NOSUCH000000", "x", ["/a"])
    transcript["second"] = invalidate("E1SITE00000001", "deploy-2", ["/a.html"])
    transcript["third"] = invalidate("E1SITE00000001", "deploy-3", ["/b.html", "#tag"])
    transcript["wildcards"] = invalidate("E1SITE00000001", "deploy-w", [f"/w{i}/*" for i in range(14)])
    transcript["overLimit"] = invalidate("E1SITE00000001", "deploy-w2", ["/x/*"])
    transcript["inProgressPages"] = invalidation_pages("E1SITE00000001")
    advance(INVALIDATION_MS)
    transcript["completedPages"] = invalidation_pages("E1SITE00000001")
    got = CF.get_invalidation(DistributionId="E1SITE00000001", Id=transcript["first"]["id"])["Invalidation"]
    transcript["get"] = [got["Status"], got["InvalidationBatch"]["Paths"]["Items"], got["InvalidationBatch"]["CallerReference"]]
    try:
        CF.get_invalidation(DistributionId="E1SITE00000001", Id="I0NOSUCH000000")
    except ClientError as error:
        transcript["getMissing"] = error.response["Error"]["Code"]
    print(json.dumps(transcript))


main()
