import sre


def _jobs(namespace, max_items):
    size = min(max_items, 500)
    if namespace:
        pages = sre.pages("kubernetes/batch_v1/listBatchV1NamespacedJob", {"namespace": namespace},
                          page_size=size, max_items=max_items)
    else:
        pages = sre.pages("kubernetes/batch_v1/listBatchV1JobForAllNamespaces", {},
                          page_size=size, max_items=max_items)
    return [item for page in pages for item in page.get("items") or []]


def main(namespace: str = "", max_items: int = 1000) -> dict:
    """Jobs (and the CronJobs that own them) that failed: BackoffLimitExceeded,
    DeadlineExceeded, or failed pods with no success yet."""
    rows = []
    jobs = _jobs(namespace, max_items)
    for job in jobs:
        meta, status = job["metadata"], job.get("status") or {}
        failed = next((c for c in status.get("conditions") or []
                       if c.get("type") == "Failed" and c.get("status") == "True"), None)
        if failed is None and not (status.get("failed") and not status.get("succeeded")):
            continue
        owner = next((o for o in meta.get("ownerReferences") or []
                      if o.get("kind") == "CronJob"), {})
        rows.append({"namespace": meta.get("namespace", ""), "job": meta["name"],
                     "cronjob": owner.get("name", ""), "failed_pods": status.get("failed", 0),
                     "succeeded_pods": status.get("succeeded", 0),
                     "reason": (failed or {}).get("reason", "PodsFailing"),
                     "message": (failed or {}).get("message", ""),
                     "started": status.get("startTime"),
                     "failed_at": (failed or {}).get("lastTransitionTime")})
    rows.sort(key=lambda r: r["failed_at"] or r["started"] or "", reverse=True)
    return {"count": len(rows), "jobs_checked": len(jobs), "jobs": rows}
