"""What was measured and how it corrects the performance model: the store (``store``), profiling a
model file or an LLM endpoint (``profile``, ``endpoint``, ``meters``, ``onnxstats``), the per-device fit
(``calibrate``, ``fitted``) and drift against stored plans (``drift``)."""
