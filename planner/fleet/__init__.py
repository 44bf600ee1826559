"""Many workloads on one inventory: the options each workload has (``options``), the CP-SAT
placement model (``model``) and the fleet plan's types (``plan``)."""
