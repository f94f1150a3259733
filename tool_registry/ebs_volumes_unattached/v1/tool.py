from datetime import UTC, datetime

import sre


def main(max_items: int = 500, min_size_gib: int = 0) -> dict:
    """EBS volumes in the 'available' state (attached to no instance), biggest first, with
    size, type, zone, age and Name tag: storage you pay for and do not use."""
    now = datetime.now(UTC)
    rows = []
    query = {"Filters": [{"Name": "status", "Values": ["available"]}]}
    for page in sre.pages("aws/ec2/DescribeVolumes", query, max_items=max_items):
        for vol in page.get("Volumes") or []:
            if vol.get("Size", 0) < min_size_gib:
                continue
            created = vol.get("CreateTime")
            age = None
            if created:
                when = datetime.fromisoformat(str(created).replace("Z", "+00:00"))
                age = round((now - when).total_seconds() / 86400, 1)
            rows.append({"volume_id": vol["VolumeId"], "size_gib": vol.get("Size", 0),
                         "type": vol.get("VolumeType", ""),
                         "az": vol.get("AvailabilityZone", ""), "age_days": age,
                         "encrypted": bool(vol.get("Encrypted")),
                         "name": next((t["Value"] for t in vol.get("Tags") or []
                                       if t.get("Key") == "Name"), "")})
    rows.sort(key=lambda r: -r["size_gib"])
    return {"count": len(rows), "total_gib": sum(r["size_gib"] for r in rows), "volumes": rows}
