"""Detection of the machine the tests run on (no GPU needed) and name matching."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from hardware.detect import detect, match_device
from intent.cli import app


def test_this_machine_is_described_with_what_could_not_be_detected(catalog):
    report = detect(catalog)
    cpu = report.devices[0]
    assert cpu.kind == "cpu" and cpu.count >= 1 and cpu.details["logical_cores"] >= 1
    assert cpu.memory_gb and cpu.memory_gb > 0
    if not any(d.kind == "gpu" for d in report.devices):
        assert any("NVIDIA" in item for item in report.not_detected)


@pytest.mark.parametrize("name, device_class, memory, expected", [
    ("Intel(R) Xeon(R) Platinum 8480+", "cpu", None, "intel-xeon-platinum-8480plus"),
    ("AMD EPYC 9654 96-Core Processor", "cpu", None, "amd-epyc-9654"),
    ("NVIDIA L4", "gpu", 24.0, "nvidia-l4"),
    ("Tesla T4", "gpu", 16.0, "nvidia-t4"),
    ("NVIDIA A100-SXM4-40GB", "gpu", 42.0, "nvidia-a100-sxm-40gb"),
    ("Some Unknown Accelerator", "gpu", 8.0, None),
])
def test_detected_names_match_catalog_devices(catalog, name, device_class, memory, expected):
    assert match_device(name, catalog, device_class, memory) == expected


def test_detect_command_prints_inventory_entries():
    result = CliRunner().invoke(app, ["catalog", "detect", "--json"])
    data = json.loads(result.stdout)
    assert data["devices"][0]["kind"] == "cpu" and "inventory" in data
