"""Device licences: GeForce parts are not licensed for datacenter deployment.

NVIDIA's GeForce driver licence (section 2.1.3, "No Datacenter Deployment") does not allow
datacenter use; the catalog marks such devices ``datacenter_use: false`` with the licence as
source. A production or compliance plan leaves them out unless the request names them (by id,
family or alias, as devices it owns, or in its inventory); when it names one and the plan uses
it, the plan says so in its warnings.
"""

from __future__ import annotations

from collections.abc import Callable

from hardware import Device


def unlicensed(device: Device) -> bool:
    """True for a device whose licence does not allow datacenter deployment."""
    return device.datacenter_use is not None and not device.datacenter_use.value


def datacenter_rule(named: Callable[[Device], bool]) -> Callable[[Device, str], str | None]:
    """A placement rule for a production or compliance plan: an unlicensed device is left out
    unless ``named`` says the request names it."""

    def problem(device: Device, placement: str) -> str | None:
        if unlicensed(device) and not named(device):
            return "not licensed for datacenter deployment (a production or compliance plan; name it to use it)"
        return None

    return problem


def consumer_note(device: Device) -> str:
    """What a plan that chose an unlicensed device the request did not name must say."""
    return (f"{device.id} is a consumer part whose driver licence does not allow datacenter deployment "
            f"({device.datacenter_use.source}): fit for a workstation or a lab; say 'production' to plan a service on "
            "licensed devices")


def licence_warning(device: Device) -> str:
    """What a plan that uses an unlicensed device must say."""
    return (f"{device.id} is a consumer part not licensed for datacenter deployment ({device.datacenter_use.source}); "
            "it is planned because the request names it: a production service on it breaks the licence")
