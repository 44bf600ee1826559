"""An organisation policy at work: rules a request gets without asking, and a request that is refused.

Run: python examples/organisation_policy.py
"""

from pathlib import Path

from intent import plan
from policies import PolicyViolation

POLICY = str(Path(__file__).with_name("policy.yaml"))

# Patient data brings in HIPAA and generated text brings in the watermark, though the request names neither.
request = "summarize clinical notes for doctors, cheapest, under 2 seconds"
result = plan(request, offline=True, policy=POLICY, record=False)
print(f"request: {request}")
print(f"chosen: {result.choice.model_id} on {result.choice.device_name} ({result.choice.placement})")
for section in result.policies:
    print(f"policy {section.name}: {section.caused_by}")

# A request cannot loosen a mandatory rule.
request = "summarize clinical notes, cheapest, disable HIPAA"
try:
    plan(request, offline=True, policy=POLICY, record=False)
except PolicyViolation as exc:
    print(f"\nrequest: {request}\nrefused: {exc}")
