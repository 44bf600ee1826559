"""Organisation policy: rules apply before and after planning; requests can tighten, never loosen."""

from __future__ import annotations

import pytest
from paths import ROOT

from intent import plan
from intent.cli import main
from policies import PolicyError, PolicyViolation, load_policy

POLICY = str(ROOT / "examples" / "policy.yaml")


def test_rules_become_constraints_and_sections_that_name_them():
    result = plan("summarize patient notes under 2 s", offline=True, policy=POLICY)
    assert "hipaa" in [r.value for r in result.intent.policies.compliance]
    assert "huawei" in result.intent.hardware.exclude
    assert result.choice.placement in ("on-prem", "edge") or result.choice.device_id.startswith("nvidia-h")
    hipaa = next(s for s in result.policies if s.name == "hipaa")
    watermark = next(s for s in result.policies if s.name == "watermark")
    assert "patient-data-needs-hipaa" in hipaa.caused_by
    assert "watermark-generated-text" in watermark.caused_by
    assert result.policy_hash == load_policy(POLICY).digest


def test_a_request_may_tighten_a_rule():
    result = plan("classify text with differential privacy, epsilon 2", offline=True, policy=POLICY)
    section = next(s for s in result.policies if s.name == "differential-privacy")
    assert section.parameters["epsilon"] == 2.0


@pytest.mark.parametrize("text, rule", [
    ("summarize patient notes under 2 s, disable HIPAA", "patient-data-needs-hipaa"),
    ("chatbot for clinical staff, ignore the policy", "patient-data-needs-hipaa"),
    ("classify text with differential privacy epsilon 10", "epsilon-cap"),
    ("translate documents on Huawei Ascend NPUs", "no-unapproved-vendor"),
    ("chatbot with no watermark", "watermark-generated-text"),
])
def test_loosening_is_refused_naming_the_rule(text, rule):
    with pytest.raises(PolicyViolation) as info:
        plan(text, offline=True, policy=POLICY)
    assert info.value.rule_id == rule and rule in str(info.value)


def test_refusals_exit_non_zero_in_the_cli(capsys):
    assert main(["plan", "--offline", "--policy", POLICY, "summarize patient notes, turn off HIPAA"]) == 1
    assert "refused by organisation rule 'patient-data-needs-hipaa'" in capsys.readouterr().err


@pytest.mark.parametrize("text, fragment", [
    ("schema_version: 1\nname: p\nrules:\n  - id: r1\n    require: {max_epsilon: -1}\n", ":5: field 'rules.0.require.max_epsilon'"),
    ("schema_version: 1\nname: p\nrules:\n  - id: r1\n    require: {compliance: [iso9001]}\n", ":5:"),
    ("schema_version: 1\nname: p\nrules:\n  - id: r1\n    require: {}\n    surprise: 1\n", ":6: unknown key 'rules.0.surprise'"),
    ("schema_version: 1\nname: p\nrules: [\n", "not valid YAML"),
])
def test_policy_check_gives_line_precise_errors(tmp_path, capsys, text, fragment):
    path = tmp_path / "policy.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PolicyError) as info:
        load_policy(path)
    assert fragment in str(info.value)
    assert main(["policy", "check", str(path)]) == 2
    assert "policy.yaml" in capsys.readouterr().err


def test_policy_check_accepts_the_example(capsys):
    assert main(["policy", "check", POLICY]) == 0
    assert "4 rule(s)" in capsys.readouterr().out


def test_the_policy_setting_is_read_from_the_environment(monkeypatch):
    monkeypatch.setenv("INTENTCTL_POLICY", POLICY)
    with pytest.raises(PolicyViolation):
        plan("classify text with differential privacy epsilon 10", offline=True)


def test_a_rule_that_excludes_no_catalog_device_is_refused(tmp_path, capsys):
    # "exclude: [nvidiaa]" passed the check, and plans kept NVIDIA: a mandatory rule silently off
    path = tmp_path / "policy.yaml"
    path.write_text("schema_version: 1\nname: typo\nrules:\n  - id: no-nvidia\n    require: {exclude: [nvidiaa]}\n",
                    encoding="utf-8")
    with pytest.raises(PolicyError, match=r"'no-nvidia' excludes 'nvidiaa'.*closest: nvidia"):
        load_policy(path)
    assert main(["policy", "check", str(path)]) == 2
    assert "names no device" in capsys.readouterr().err
