"""Quickstart: plan a request from Python, offline, on the packaged catalog.

Run: python examples/quickstart.py
"""

from intent import parse, plan
from planner import InfeasibleError

request = "lowest power, classify images in 10ms"

intent = parse(request, offline=True)
print("task:", intent.task.value)
print("objective:", intent.objective.sense.value, intent.objective.metric.value)
print("constraints:", [c.describe() for c in intent.constraints])

result = plan(intent)
choice = result.choice
print(f"\nchosen: {choice.model_id} on {choice.replicas} x {choice.device_name}, {choice.precision}, "
      f"batch {choice.batch_size}, runtime {choice.runtime}")
print(f"predicted: {result.metrics.latency_ms:.3f} ms, {result.metrics.power_w:.2f} W, "
      f"{result.metrics.throughput_rps:,.0f} requests/s")
print("why:", *result.why, sep="\n  ")
print("steps:", *result.steps, sep="\n  ")

try:
    plan("classify images in 0.01 ms at 99.9% accuracy", offline=True)
except InfeasibleError as exc:
    print("\ninfeasible:", *exc.report.lines(), sep="\n  ")
