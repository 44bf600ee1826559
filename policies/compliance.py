"""Compliance regimes as data: where a workload may run and the steps a plan must carry."""

from __future__ import annotations

from functools import lru_cache

from pydantic import BaseModel, ConfigDict, ValidationError

from hardware import Device
from hardware.yamlio import YAMLError, packaged_yaml
from policies.errors import PolicyError


class PlacementRequirement(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    allowed: list[str]
    cloud_if: str | None = None
    cloud_regions: str | None = None


class Regime(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    schema_version: int
    id: str
    name: str
    source: str
    placement: PlacementRequirement
    steps: list[str]
    #: steps for a cloud placement only, and those in their place elsewhere (on-prem, edge): an on-prem plan had
    #: been told to pin its cloud resources to EU regions
    cloud_steps: list[str] = []
    elsewhere_steps: list[str] = []

    def placement_problem(self, device: Device, placement: str) -> str | None:
        """Why this regime forbids running on ``device`` at ``placement``, or None."""
        if placement in self.placement.allowed:
            return None
        if placement == "cloud" and self.placement.cloud_if:
            capability = getattr(device, self.placement.cloud_if, None)
            if capability is not None and capability.value:
                return None
            return f"{self.id} allows cloud only with {self.placement.cloud_if.replace('_', ' ')}"
        return f"{self.id} does not allow {placement} placement"


@lru_cache(maxsize=8)
def load_regime(regime_id: str) -> Regime:
    try:
        return Regime.model_validate(packaged_yaml("policies", "compliance", f"{regime_id}.yaml"))
    except FileNotFoundError as exc:
        raise PolicyError(f"no compliance regime {regime_id!r} (known: hipaa, gdpr, pci-dss, soc2)") from exc
    except (YAMLError, ValidationError) as exc:
        raise PolicyError(f"policies/data/compliance/{regime_id}.yaml is malformed: {exc}") from exc
