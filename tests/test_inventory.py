"""Inventories: only the devices a user has, at most as many as they have, at their prices."""

from __future__ import annotations

import textwrap

import pytest

from hardware import CatalogError, load_inventory
from intent import plan
from planner import InfeasibleError


def write(tmp_path, text: str) -> str:
    path = tmp_path / "inventory.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return str(path)


TWO_DEVICES = """\
    schema_version: 1
    devices:
      - {id: nvidia-t4, count: 2, placement: on-prem, usd_per_hour: 0.25}
      - {id: nvidia-l4, count: 1, placement: cloud}
"""


def test_only_inventory_devices_are_used_at_their_prices(tmp_path):
    result = plan("cheapest way to classify images in 20 ms", offline=True, inventory=write(tmp_path, TWO_DEVICES))
    assert result.choice.device_id in ("nvidia-t4", "nvidia-l4")
    assert all(a.choice.device_id in ("nvidia-t4", "nvidia-l4") for a in result.alternatives)
    if result.choice.device_id == "nvidia-t4":
        assert result.metrics.cost_usd_per_hour == pytest.approx(0.25 * result.choice.replicas)
        assert result.choice.placement == "on-prem"
    assert any("inventory only" in a for a in result.assumptions)


def test_counts_cap_the_replicas(tmp_path):
    one_l4 = write(tmp_path, """\
        schema_version: 1
        devices:
          - {id: nvidia-l4, count: 1, placement: cloud}
    """)
    feasible = plan("classify images at 1000 images per second with resnet50", offline=True, inventory=one_l4)
    assert feasible.choice.replicas == 1
    with pytest.raises(InfeasibleError):
        plan("classify images at 500000 images per second with at least 80% accuracy", offline=True,
             inventory=one_l4)


@pytest.mark.parametrize("text, fragment", [
    ("schema_version: 1\ndevices:\n  - {id: nvidia-l5, count: 1, placement: cloud}\n", "did you mean nvidia-l4"),
    ("schema_version: 1\ndevices:\n  - {id: nvidia-l4, count: 0, placement: cloud}\n", "count"),
    ("schema_version: 1\ndevices:\n  - {id: nvidia-l4, count: 1, placement: moon}\n", "placement"),
    ("schema_version: 1\ndevices: []\n", "devices"),
])
def test_bad_inventories_are_precise_errors(tmp_path, catalog, text, fragment):
    with pytest.raises(CatalogError) as info:
        load_inventory(write(tmp_path, text), catalog)
    assert fragment in str(info.value)


def test_a_rate_objective_on_owned_devices_puts_every_device_to_work():
    """"8 A100s, serve as many Llama 3 8B users as possible": per replica one TP8 instance wins and
    serves less than eight TP1 replicas together; the plan fills the inventory and says so."""
    from intent import plan

    result = plan("GPU budget is 8 A100s, serve as many Llama 3 8B users as possible", offline=True, record=False)
    assert result.choice.replicas * result.choice.devices_per_replica == 8
    assert any("every device serves" in a for a in result.assumptions)
    one_replica = plan("serve Llama 3 8B on A100 80GB, highest throughput", offline=True, record=False)  # no inventory
    assert one_replica.choice.replicas == 1
    assert result.metrics.throughput_rps > one_replica.metrics.throughput_rps
