"""GeForce parts are not licensed for datacenter deployment: a production or compliance plan
leaves them out unless the request names them, and then says so."""

from __future__ import annotations

import pytest

from hardware import load_catalog
from intent.api import plan

SERVE = "cheapest way to serve llama 3 8b at 20 req/s"


def devices_of(result) -> set[str]:
    return {result.choice.device_id} | {a.choice.device_id for a in result.alternatives} \
        | {p.choice.device_id for p in result.pareto_front}


def test_geforce_parts_carry_the_licence_flag_with_its_source():
    rtx = load_catalog().device("nvidia-geforce-rtx-4090")
    assert rtx.datacenter_use.value is False
    assert "geforce-license" in rtx.datacenter_use.source and "No Datacenter Deployment" in rtx.datacenter_use.source
    assert load_catalog().device("nvidia-l4").datacenter_use is None  # a datacenter part carries no flag


def test_without_production_words_the_cheapest_plan_may_be_a_geforce_part():
    # The baseline the rule changes: nothing in the request says it is a production service, and
    # it says where it runs, on one person's machine (with nothing said, datacenter devices are
    # planned; on-prem, an organisation's servers: GeForce left out either way).
    assert plan(f"{SERVE}, on-prem, on our workstation", offline=True,
                record=False).choice.device_id == "nvidia-geforce-rtx-4090"
    assert plan(SERVE, offline=True, record=False).choice.device_id != "nvidia-geforce-rtx-4090"


@pytest.mark.parametrize("request_text", [f"{SERVE}, on-prem", "部署qwen2.5 7b，私有化部署，并发20",
                                          "qwen2.5 7b on-prem for 20 concurrent users"])
def test_on_prem_is_a_datacenter_so_no_geforce_and_the_smallest_part_that_meets_it(request_text):
    result = plan(request_text, offline=True, record=False)
    device = load_catalog().device(result.choice.device_id)
    assert device.datacenter_use is None or device.datacenter_use.value
    assert device.id != "amd-instinct-mi300x"  # unpriced: the fewest devices, then the least power


@pytest.mark.parametrize("request_text", [
    f"{SERVE}, HIPAA, in production",       # the case
    f"{SERVE}, HIPAA",                      # a compliance regime is a production service
    f"{SERVE} in production",               # production without a regime
    "用最低成本部署llama 3 8b，每秒20个请求，生产环境",  # production in Chinese
    # a call centre's service is production (27 RTX 4090s were planned for one)
    "Speech-to-text for a call center: 300 concurrent calls, streaming, < 500 ms latency, on-prem, minimize cost",
    "用最低成本部署llama 3 8b做客服，每秒20个请求",
])
def test_a_production_or_compliance_plan_chooses_no_geforce(request_text):
    result = plan(request_text, offline=True, record=False, pareto=True)
    geforce = {d.id for d in load_catalog().devices.values() if d.datacenter_use and not d.datacenter_use.value}
    assert not devices_of(result) & geforce
    assert not any("not licensed for datacenter" in w for w in result.warnings)


def test_a_production_plan_that_names_a_geforce_part_uses_it_and_warns():
    result = plan("serve llama 3 8b at 20 req/s on RTX 4090s in production, HIPAA, cheapest", offline=True,
                  record=False)
    assert result.choice.device_id == "nvidia-geforce-rtx-4090"
    (warning,) = [w for w in result.warnings if "not licensed for datacenter deployment" in w]
    assert "geforce-license" in warning and "names it" in warning


def test_a_factory_production_line_is_not_a_production_service():
    from intent.agent import is_production
    from intent.api import parse

    assert not is_production(parse("detect defects on the production line in 30 ms", offline=True))
    assert is_production(parse("classify images in 30 ms for our production service", offline=True))



@pytest.mark.parametrize("request_text", [
    "serve llama 3 8b at 20 req/s, on-prem in our server room",
    "serve llama 3 8b at 20 req/s on our own servers",
    "在本地机房部署llama 3 8b，每秒20个请求",
    "serve llama 3 8b at 20 req/s in our private cloud",
    "私有云部署llama 3 8b，每秒20个请求",
])
def test_a_datacenter_named_as_where_it_runs_chooses_no_geforce(request_text):
    # An on-prem server room is a datacenter deployment, which the GeForce licence forbids: these
    # planned an RTX 4090 as "on-prem" did.
    from intent.agent import is_production
    from intent.api import parse

    assert is_production(parse(request_text, offline=True))
    result = plan(request_text, offline=True, record=False)
    assert result.choice.device_id != "nvidia-geforce-rtx-4090"
    assert any("a datacenter deployment, so consumer parts" in a for a in result.assumptions)


@pytest.mark.parametrize("request_text", [
    "llama 3 8b chatbot, no datacenter GPUs",
    "Llama 3 8B chatbot on-prem, cheapest, not in a data center",
    "we don't have a data center, llama 3 8b on-prem",
    "Colocation of a chatbot and an embedding model on one GPU, Llama 3 8B",  # (on-prem alone is a datacenter)
    "the data center GPUs are too expensive, llama 3 8b",
])
def test_a_datacenter_ruled_out_or_named_as_a_kind_of_device_is_no_place(request_text):
    from intent.agent import is_production
    from intent.api import parse

    assert not is_production(parse(request_text, offline=True))


def test_a_compliance_regime_the_policies_do_not_model_is_production_too():
    # "等保三级要求，不能上公有云" planned an RTX 4090
    result = plan("等保三级要求，不能上公有云，部署Qwen2.5-14B，并发50", offline=True, record=False)
    geforce = {d.id for d in load_catalog().devices.values() if d.datacenter_use and not d.datacenter_use.value}
    assert result.choice.device_id not in geforce
