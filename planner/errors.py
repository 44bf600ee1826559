"""Errors raised while estimating and planning."""

from __future__ import annotations


class PlanningError(ValueError):
    """Base class for planning errors; ``code`` is stable, ``hint`` says what to do."""

    code = "planning-error"
    hint = ""


class EstimateError(PlanningError):
    """A configuration is not a candidate (precision unsupported, does not fit, no figures)."""

    code = "not-a-candidate"


class MissingTaskError(PlanningError):
    """The request names no task and no model, so there is nothing to place."""

    code = "missing-task"
    hint = 'say what the model does, e.g. "classify images", "transcribe audio", "serve a chatbot"'


class MissingDatasetError(MissingTaskError):
    """A training or fine-tuning request says nothing of how much data it trains on."""

    code = "missing-dataset"
    hint = ('say how many records it trains on, e.g. "on 50k examples", "on 1.2M images", "on 2B tokens", or name a public dataset '
            'the parser knows (ImageNet, COCO, CIFAR-10)')


class InfeasibleError(PlanningError):
    """No configuration meets every hard constraint; ``report`` says which conflict and what is reachable."""

    code = "infeasible"

    def __init__(self, message: str, report):
        super().__init__(message)
        self.report = report
        self.hint = ("relax one of the conflicting constraints; the best reachable values are listed"
                     if getattr(report, "conflicts", None) else
                     "no configuration is left by the choices listed (hardware, precision, placement, model floor): "
                     "drop or change one of them")
