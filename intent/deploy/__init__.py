"""Deployable artifacts for plans: the serving runtime's launch, Kubernetes objects (plain or
KServe, with KEDA scaling, LeaderWorkerSets, disaggregated roles, PyTorchJobs), Triton model
configurations, and fleets with their GPU sharing. See intent/export.py for the entry points."""
