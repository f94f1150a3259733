import sre

UNITS = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60,
         "k": 10**3, "M": 10**6, "G": 10**9, "T": 10**12, "P": 10**15, "E": 10**18}


def cpu_cores(quantity):
    text = str(quantity)
    return float(text[:-1]) / 1000 if text.endswith("m") else float(text)


def mem_bytes(quantity):
    text = str(quantity)
    for suffix in sorted(UNITS, key=len, reverse=True):
        if text.endswith(suffix):
            return float(text[: -len(suffix)]) * UNITS[suffix]
    return float(text)


def _nodes(max_items):
    size = min(max_items, 500)
    pages = sre.pages("kubernetes/core_v1/listCoreV1Node", {}, page_size=size, max_items=max_items)
    return [item for page in pages for item in page.get("items") or []]


def _pods(max_items):
    size = min(max_items, 500)
    pages = sre.pages("kubernetes/core_v1/listCoreV1PodForAllNamespaces",
                      {"fieldSelector": "status.phase!=Succeeded,status.phase!=Failed"},
                      page_size=size, max_items=max_items)
    return [item for page in pages for item in page.get("items") or []]


def main(min_percent: float = 0, max_nodes: int = 500, max_pods: int = 5000) -> dict:
    """How full each node is: CPU and memory requested by its pods as a percentage of what
    the node can allocate, and pod count vs. its pod capacity; fullest first."""
    usage = {}
    for pod in _pods(max_pods):
        node = (pod.get("spec") or {}).get("nodeName")
        if not node or (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed"):
            continue
        row = usage.setdefault(node, [0.0, 0.0, 0])
        row[2] += 1
        for container in (pod.get("spec") or {}).get("containers") or []:
            requests = (container.get("resources") or {}).get("requests") or {}
            row[0] += cpu_cores(requests.get("cpu", 0))
            row[1] += mem_bytes(requests.get("memory", 0))
    rows = []
    for node in _nodes(max_nodes):
        name = node["metadata"]["name"]
        alloc = (node.get("status") or {}).get("allocatable") or {}
        cpu, mem, pods = usage.get(name, [0.0, 0.0, 0])
        cpu_total, mem_total = cpu_cores(alloc.get("cpu", 0)), mem_bytes(alloc.get("memory", 0))
        pod_cap = int(alloc.get("pods", 0) or 0)
        row = {"node": name, "cpu_requested": round(cpu, 3),
               "cpu_allocatable": round(cpu_total, 3),
               "cpu_percent": round(100 * cpu / cpu_total, 1) if cpu_total else 0.0,
               "memory_requested_mib": round(mem / 2**20, 1),
               "memory_allocatable_mib": round(mem_total / 2**20, 1),
               "memory_percent": round(100 * mem / mem_total, 1) if mem_total else 0.0,
               "pods": pods, "pod_capacity": pod_cap}
        if max(row["cpu_percent"], row["memory_percent"]) >= min_percent:
            rows.append(row)
    rows.sort(key=lambda r: -max(r["cpu_percent"], r["memory_percent"]))
    return {"count": len(rows), "nodes": rows}
