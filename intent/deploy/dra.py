"""Dynamic Resource Allocation (resource.k8s.io/v1, GA in Kubernetes 1.34): a ResourceClaimTemplate
that selects the planned device by its attributes (product name, memory) through the vendor's
DRA driver, instead of the device plugin's resource count."""

from __future__ import annotations

from intent.deploy.config import k8s_settings
from intent.deploy.launch import ExportError
from intent.deploy.pods import CLAIM, nvidia_product
from intent.deploy.target import Target


def claim_template(target: Target, name: str, labels: dict[str, str], count: int) -> dict:
    """A claim template for ``count`` of the target's device, named ``<name>-accelerators``."""
    drivers = k8s_settings()["dra"]
    driver = drivers.get(target.device.vendor)
    if driver is None or target.device.device_class != "gpu":
        raise ExportError(f"--dra selects devices through a DRA driver; intentctl knows the attributes of "
                          f"{', '.join(sorted(drivers))} GPUs, not {target.device.title}: "
                          "emit without --dra to use the device plugin")
    domain = driver["device_class"]
    # Drivers report the usable memory, a little under the marketed size: ask for 90% of it.
    memory_gi = int(target.device.memory_gb.value * 0.9) if target.device.memory_gb else None
    expression = f'device.attributes["{domain}"].{driver["product_attribute"]} == "{nvidia_product(target.device)}"'
    if memory_gi:
        expression += (f' && device.capacity["{domain}"].{driver["memory_capacity"]}'
                       f'.compareTo(quantity("{memory_gi}Gi")) >= 0')
    return {"apiVersion": "resource.k8s.io/v1", "kind": "ResourceClaimTemplate",
            "metadata": {"name": f"{name}-{CLAIM}", "labels": dict(labels)},
            "spec": {"spec": {"devices": {"requests": [{"name": "gpu", "exactly": {
                "deviceClassName": domain, "allocationMode": "ExactCount", "count": count,
                "selectors": [{"cel": {"expression": expression}}]}}]}}}}
