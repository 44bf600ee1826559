"""Costs that compare like with like: cloud on-demand prices beside the total cost of ownership
(amortisation, power at the planned load x $/kWh x PUE, hosting) of on-prem hardware, and owned
hardware at its power and hosting only."""

from __future__ import annotations

import pytest

from intent.api import plan
from planner.perf.cost import CostSettingError, cost_terms, hourly_cost, load_cost_settings

UNPRICED = """schema_version: 1
devices:
  - {id: nvidia-a100-sxm-80gb, count: 4, placement: on-prem}
  - {id: nvidia-l4, count: 2, placement: on-prem}
"""


@pytest.fixture
def unpriced_inventory(tmp_path):
    path = tmp_path / "inventory.yaml"
    path.write_text(UNPRICED, encoding="utf-8")
    return str(path)


def test_an_owned_inventory_plan_shows_tco_terms_with_no_purchase(unpriced_inventory):
    result = plan("cheapest, classify images in 20 ms", offline=True, record=False, inventory=unpriced_inventory)
    terms, device = result.cost, result.choice
    assert terms.basis == "total cost of ownership" and terms.owned
    assert terms.purchase_usd_per_hour == 0.0
    assert terms.power_usd_per_hour == pytest.approx(result.metrics.power_w / 1000 * 0.127 * 1.58)
    tdp = {"nvidia-l4": 72, "nvidia-a100-sxm-80gb": 400}[device.device_id]
    assert terms.hosting_usd_per_hour == pytest.approx(tdp * terms.devices / 1000 * 163.44 / 730)
    assert terms.total_usd_per_hour == pytest.approx(result.metrics.cost_usd_per_hour)
    # The note that unpriced devices are priced by the rule is said once, not per device or twice.
    notes = [a for a in result.assumptions if "no price in the inventory" in a]
    assert len(notes) == 1 and "nvidia-l4" in notes[0] and "not their purchase" in notes[0]


def test_devices_the_request_says_it_owns_cost_power_and_hosting():
    result = plan("I have 4 A100s, serve llama 3 8b at 10 req/s", offline=True, record=False)
    assert result.cost.owned and result.cost.purchase_usd_per_hour == 0.0
    assert result.cost.power_usd_per_hour > 0 and result.cost.hosting_usd_per_hour > 0
    assert result.metrics.cost_usd_per_hour == pytest.approx(result.cost.total_usd_per_hour)


def test_hardware_bought_for_the_plan_costs_its_amortised_purchase_too():
    from hardware import load_catalog

    rtx = load_catalog().device("nvidia-geforce-rtx-4090")
    terms = cost_terms(rtx, "on-prem", devices=2, power_w=600.0, stated=None, owned=False)
    assert terms.purchase_usd_per_hour == pytest.approx(2 * 1599 / (4 * 8760))
    assert terms.power_usd_per_hour == pytest.approx(0.6 * 0.127 * 1.58)
    assert terms.hosting_usd_per_hour == pytest.approx(2 * 0.45 * 163.44 / 730)
    # The grid's vectorised rule gives the same figure.
    grid = hourly_cost(cloud=float("nan"), purchase=1599.0, stated=float("nan"), is_cloud=False, power_w=600.0,
                       devices=2, tdp_w=450.0, owned=False)
    assert float(grid) == pytest.approx(terms.total_usd_per_hour)


def test_cloud_and_stated_prices_are_taken_as_they_are():
    from hardware import load_catalog

    l4 = load_catalog().device("nvidia-l4")
    assert cost_terms(l4, "cloud", 3, 100.0, None, False).total_usd_per_hour == pytest.approx(3 * 0.8048)
    stated = cost_terms(l4, "on-prem", 2, 100.0, 0.45, True)
    assert stated.basis == "inventory price" and stated.total_usd_per_hour == pytest.approx(0.9)


def test_settings_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("INTENTCTL_PUE", "1.2")
    monkeypatch.setenv("INTENTCTL_ELECTRICITY_USD_PER_KWH", "0.30")
    settings = load_cost_settings()
    assert (settings.pue.value, settings.usd_per_kwh.value) == (1.2, 0.30)
    assert settings.hosting_usd_per_kw_month.value == 163.44 and settings.life_years.value == 4
    assert "set by INTENTCTL_PUE" in settings.pue.formula


@pytest.mark.parametrize(("variable", "value"), [
    ("INTENTCTL_PUE", "0.9"),  # a facility cannot use less than its IT load
    ("INTENTCTL_TCO_LIFE_YEARS", "0"),
    ("INTENTCTL_ELECTRICITY_USD_PER_KWH", "cheap"),
])
def test_an_unusable_setting_is_a_clear_error(monkeypatch, variable, value):
    monkeypatch.setenv(variable, value)
    with pytest.raises(CostSettingError, match=variable):
        load_cost_settings()


def test_the_cli_plans_an_unpriced_inventory_and_rejects_a_bad_setting(unpriced_inventory, monkeypatch):
    from typer.testing import CliRunner

    from intent.cli import app, main

    out = CliRunner().invoke(app, ["plan", "--offline", "--no-history", "--inventory", unpriced_inventory,
                                   "cheapest, classify images in 20 ms"])
    assert out.exit_code == 0, out.output
    assert out.output.count("no price in the inventory") == 1 and "purchase $0.000/h" in out.output
    monkeypatch.setenv("INTENTCTL_PUE", "abc")
    assert main(["plan", "--offline", "--no-history", "cheapest, classify images in 20 ms"]) == 2


def test_a_replica_of_several_cloud_devices_rents_a_multi_device_instance():
    """A multi-GPU instance costs more per GPU than the 1-GPU one: a TP4 replica is priced at the
    smallest instance that holds four, per device, not at four 1-GPU instances."""
    from hardware import load_catalog
    from hardware.schema import CloudInstance, Figure

    l40s = load_catalog().device("nvidia-l40s")
    one = l40s.cloud_usd_per_hour.value
    priced = l40s.model_copy(update={"cloud_instances": [
        CloudInstance(name="four", devices=4, usd_per_hour=Figure(value=4 * one * 1.5)),
        CloudInstance(name="eight", devices=8, usd_per_hour=Figure(value=8 * one * 2.0))]})
    assert priced.cloud_usd_per_device(1) == pytest.approx(one)
    assert priced.cloud_usd_per_device(2) == pytest.approx(one * 1.5)  # the 4-device instance holds 2
    assert priced.cloud_usd_per_device(8) == pytest.approx(one * 2.0)
    assert priced.cloud_usd_per_device(16) == pytest.approx(one * 2.0)  # two of the largest
    terms = cost_terms(priced, "cloud", devices=8, power_w=None, stated=None, owned=False, per_replica=4)
    assert terms.total_usd_per_hour == pytest.approx(8 * one * 1.5)
    assert l40s.model_copy(update={"cloud_instances": []}).cloud_usd_per_device(4) == pytest.approx(one)


def test_the_cost_block_counts_every_worker_of_a_disaggregated_replica():
    """A replica of 2 prefill and 1 decode workers at TP4 is 12 L4s; the cost block counted 4 (the
    engine), $13.8/h against the metrics' $41.4/h for the same 36 devices."""
    result = plan("Serve Llama 3 8B at 100 req/s with TTFT < 200 ms on L4 GPUs only", offline=True, record=False)
    c = result.choice
    assert c.devices_per_replica > c.shards  # the premise: workers of more than one engine
    assert result.cost.devices == c.replicas * c.devices_per_replica
    assert result.cost.total_usd_per_hour == pytest.approx(result.metrics.cost_usd_per_hour, rel=1e-6)


def test_owned_devices_offered_only_in_the_cloud_are_said_to_be_rented():
    # "we have 2 A10G" said "owned, on-prem, no cloud price" while the plan ran them in the cloud at $2.012/h
    result = plan("serve llama 3.1 8b at 10 rps, we have 2 A10G", offline=True)
    assert result.choice.placement == "cloud" and result.metrics.cost_usd_per_hour > 0
    assert any("offered only in the cloud" in a and "rented at its cloud price" in a for a in result.assumptions)
    assert not any("owned, on-prem, no cloud price" in a for a in result.assumptions)


def test_a_default_cost_objective_unknown_everywhere_is_said():
    # on-prem datacenter GPUs have no published price: the plan came out "cost unknown" with no word on why
    result = plan("serve llama 3.1 8b at 10 rps on-prem, HIPAA", offline=True)
    assert result.metrics.cost_usd_per_hour is None
    assert any(a.startswith("the default objective is to minimize cost, but none") and "tie-breakers" in a
               for a in result.assumptions)
    assert not any("objective is to minimize cost" in w for w in result.warnings)


def test_a_batch_of_inference_with_a_deadline_is_rented_like_any_job():
    # "classify 100M images over the weekend" bought a Xeon, amortised over four years, for a 48-minute job
    result = plan("Batch job: classify 100M product images with efficientnet-b0 over the weekend (48h), cheapest",
                  offline=True)
    assert result.choice.placement == "cloud"
    assert any("one-off job on devices it does not own is planned as rented" in a for a in result.assumptions)
    owned = plan("Batch job on-prem: classify 100M product images with efficientnet-b0 within 48h, cheapest", offline=True)
    assert owned.choice.placement == "on-prem"  # a place stated still holds


def test_an_unknown_cost_ranks_below_every_known_deployment_cost():
    # the Qualcomm AI 100 Ultra, priced nowhere, beat 16 Inferentia2 replicas at a known $12.13/h (its penalty was
    # ten times a replica's price, below the deployment's); with 'whichever is cheaper' nothing was planned at all
    for text in ("NER on streaming chat messages: bert-large-ner, 12k msgs/sec, p99 25ms, Inferentia2 or Qualcomm AI 100",
                 "NER on streaming chat messages: bert-large-ner, 12k msgs/sec, p99 25ms, Inferentia2 or Qualcomm AI 100, "
                 "whichever is cheaper"):
        result = plan(text, offline=True)
        assert result.metrics.cost_usd_per_hour is not None, text
        assert all(a.metrics.cost_usd_per_hour is None or a.metrics.cost_usd_per_hour >= result.metrics.cost_usd_per_hour
                   for a in result.alternatives if a.feasible), text
