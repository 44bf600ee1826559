"""Terminal views people can read: 80 columns with full ids, device counts and layouts in the
alternatives and the trade-off front, catalog names resolved as the parser resolves them."""

from __future__ import annotations

import re

from types import SimpleNamespace

import pytest
from rich.cells import cell_len
from typer.testing import CliRunner

from hardware import load_catalog
from intent.cli import app, main
from intent.render import devices_in_total, layout

runner = CliRunner()


def render(args: list[str], columns: int) -> str:
    result = runner.invoke(app, args, env={"COLUMNS": str(columns), "TERM": "dumb"})
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize(("listing", "ids"), [
    ("devices", lambda cat: cat.devices),
    ("models", lambda cat: cat.models),
])
def test_catalog_listings_fit_80_columns_with_every_id_whole(listing, ids):
    out = render(["catalog", listing], 80)
    assert max(cell_len(line) for line in out.splitlines()) <= 80
    lines = out.splitlines()
    for entry_id in ids(load_catalog()):
        assert any(f"│ {entry_id} " in line for line in lines), entry_id  # whole, in its own cell
    assert "…" not in out and "--wide adds:" in out


def test_wide_shows_every_column():
    narrow, wide = render(["catalog", "devices"], 80), render(["catalog", "devices", "--wide"], 80)
    table = narrow.split("--wide adds")[0]
    for header in ("placements", "form", "GB/s"):
        assert header not in table and header in wide
    assert "--wide adds" not in wide and "datacenter" in wide


@pytest.mark.parametrize(("name", "shown"), [
    ("h100", "names the nvidia-h100 family"),
    ("H100s", "names the nvidia-h100 family"),  # as plan reads "H100s"
    ("llama 3 8b", "is llama-3-8b"),
    ("rtx4090", "is nvidia-geforce-rtx-4090"),
])
def test_catalog_show_resolves_names_as_the_parser_does(name, shown, capsys):
    assert main(["catalog", "show", "--json", name]) == 0
    assert shown in capsys.readouterr().err


def test_catalog_show_suggests_close_ids(capsys):
    assert main(["catalog", "show", "nvidia-l5"]) == 1
    assert "did you mean nvidia-l4?" in capsys.readouterr().err


def test_alternatives_and_the_front_show_devices_in_total_and_the_layout():
    out = render(["plan", "--offline", "--no-history", "--pareto", "-k", "3",
                  "serve llama 3 70b to 100 users, p99 ttft under 1 s"], 80)
    # an alternative sharded over several devices, in the list a narrow terminal gets: devices in total
    # and the layout that makes them up
    sharded = re.search(r"on (\d+) x ([\w.-]+) \(1 replica x TP(\d+)\)", out)
    assert sharded and sharded[1] == sharded[3] and int(sharded[1]) > 1
    assert max(cell_len(line) for line in out.splitlines()) <= 80
    wide = render(["plan", "--offline", "--no-history", "--pareto", "-k", "3",
                   "serve llama 3 70b to 100 users, p99 ttft under 1 s"], 160)
    assert f"│ {sharded[1]} x {sharded[2]} " in wide  # the alternatives' table in a wide one


def test_the_layout_reads_the_serving_fields_when_a_plan_has_them():
    today = SimpleNamespace(replicas=3, shards=2)
    assert (layout(today), devices_in_total(today)) == ("3 replicas x TP2", 6)
    llm = SimpleNamespace(replicas=2, shards=1, devices_per_replica=8, tensor_parallel=4, pipeline_parallel=2,
                          expert_parallel=None, prefill_workers=None, decode_workers=None)
    assert (layout(llm), devices_in_total(llm)) == ("2 replicas x TP4 PP2", 16)
    split = SimpleNamespace(replicas=1, shards=1, devices_per_replica=8, tensor_parallel=None, prefill_workers=2,
                            decode_workers=6)
    assert layout(split) == "1 replica x 8 devices, prefill 2 + decode 6 workers"


def test_a_fleet_plan_at_80_columns_keeps_every_id_whole():
    from paths import ROOT

    from intent.api import plan_fleet

    out = render(["fleet", "plan", str(ROOT / "examples" / "fleet.yaml")], 80)
    assert max(cell_len(line) for line in out.splitlines()) <= 80
    for workload in ("clinical-dictation", "search-embeddings", "ticket-router-finetune"):
        assert f"  {workload} (p" in out
    models = {a.model_id for a in plan_fleet(str(ROOT / "examples" / "fleet.yaml")).assignments}
    assert all(f"{m} · " in out for m in models) and "…" not in out


def test_fleet_request_rates_are_written_in_figures():
    # "2e+04 -> 2e+04 req/s" had been printed for 20,000 req/s
    from intent.render import _rate

    assert [_rate(x) for x in (20000, 1500, 12.345, 0.0786)] == ["20,000", "1,500", "12.35", "0.0786"]
