import sre


def main(subscription_id: str, power_state: str = "", max_vms: int = 1000) -> dict:
    """Azure virtual machines of a subscription with their power state (running, stopped,
    deallocated...) and provisioning state, size, location and resource group."""
    data = sre.call("azure/compute/VirtualMachines_ListAll", subscriptionId=subscription_id,
                    statusOnly="true")
    rows, by_state = [], {}
    for vm in (data.get("value") or [])[:max_vms]:
        props = vm.get("properties") or {}
        statuses = (props.get("instanceView") or {}).get("statuses") or []
        codes = [str(s.get("code", "")) for s in statuses]
        power = next((c.split("/", 1)[1] for c in codes if c.startswith("PowerState/")), "unknown")
        provisioning = next((c.split("/", 1)[1] for c in codes
                             if c.startswith("ProvisioningState/")),
                            str(props.get("provisioningState", "")).lower())
        by_state[power] = by_state.get(power, 0) + 1
        if power_state and power != power_state:
            continue
        parts = str(vm.get("id", "")).split("/")
        group = parts[4] if len(parts) > 4 else ""
        rows.append({"name": vm.get("name", ""), "resource_group": group,
                     "location": vm.get("location", ""), "power_state": power,
                     "provisioning_state": provisioning,
                     "size": (props.get("hardwareProfile") or {}).get("vmSize", "")})
    rows.sort(key=lambda r: (r["power_state"], r["name"]))
    return {"subscription_id": subscription_id, "count": len(rows), "by_power_state": by_state,
            "vms": rows}
