import sre

NOT_SET = {"ServerSideEncryptionConfigurationNotFoundError",
           "NoSuchPublicAccessBlockConfiguration"}


def _read(op, bucket):
    """The configuration, or None when the bucket has none (an error code says so)."""
    try:
        if op == "encryption":
            return sre.call("aws/s3/GetBucketEncryption", Bucket=bucket)
        return sre.call("aws/s3/GetPublicAccessBlock", Bucket=bucket)
    except sre.CallError as exc:
        if exc.code in NOT_SET:
            return None
        return {"error": exc.code or str(exc)}


def main(name_prefix: str = "", only_problems: bool = True, max_buckets: int = 100) -> dict:
    """S3 buckets without default encryption or without a full public access block (reads
    the bucket settings only, never objects)."""
    rows, checked = [], 0
    for page in sre.pages("aws/s3/ListBuckets", {}, max_items=max_buckets):
        for bucket in page.get("Buckets") or []:
            name = bucket["Name"]
            if not name.startswith(name_prefix):
                continue
            checked += 1
            enc = _read("encryption", name)
            pab = _read("public_access_block", name)
            problems, algorithm = [], None
            if enc is None:
                problems.append("no default encryption")
            elif "error" in enc:
                problems.append(f"encryption unreadable: {enc['error']}")
            else:
                rules = (enc.get("ServerSideEncryptionConfiguration") or {}).get("Rules") or []
                algorithm = next((r.get("ApplyServerSideEncryptionByDefault", {}).get(
                    "SSEAlgorithm") for r in rules), None)
            block = None
            if pab is None:
                problems.append("no public access block")
            elif "error" in pab:
                problems.append(f"public access block unreadable: {pab['error']}")
            else:
                block = pab.get("PublicAccessBlockConfiguration") or {}
                off = sorted(k for k in ("BlockPublicAcls", "IgnorePublicAcls",
                                         "BlockPublicPolicy", "RestrictPublicBuckets")
                             if not block.get(k))
                if off:
                    problems.append("public access block off: " + ", ".join(off))
            if only_problems and not problems:
                continue
            rows.append({"bucket": name, "created": bucket.get("CreationDate"),
                         "encryption": algorithm, "public_access_block": block,
                         "problems": problems})
    return {"buckets_checked": checked, "count": sum(1 for r in rows if r["problems"]),
            "buckets": rows}

# --- test ---

def test_flags_buckets_without_encryption_or_block():
    result = main()
    assert result["count"] == len(result["buckets"]) >= 1
    assert result["buckets_checked"] > result["count"]
    for row in result["buckets"]:
        assert row["problems"]
        assert ("no default encryption" in row["problems"]) == (row["encryption"] is None)


def test_all_buckets_and_prefix():
    everything = main(only_problems=False)
    assert len(everything["buckets"]) == everything["buckets_checked"]
    assert any(r["encryption"] and not r["problems"] for r in everything["buckets"])
    assert main(name_prefix="no-such-bucket-")["buckets_checked"] == 0
