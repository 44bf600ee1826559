"""Configurations to predict: (model, device, precision, placement, devices per replica, share).

A request on a large catalog has hundreds of thousands of configurations, so they are held
as a table of index arrays into short lists of devices, models, precisions and placements
(:class:`ConfigTable`); the performance model gathers each device's and model's figures
through those indices instead of reading them configuration by configuration. One row comes
back as a :class:`Config` only when it is needed (a chosen plan, a fleet option).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from functools import cached_property

import numpy as np

from hardware import Device, ModelVariant


@dataclass(frozen=True)
class Config:
    """A configuration without its batch size: one row of a Grid."""

    model: ModelVariant
    device: Device
    precision: str
    placement: str
    usd_per_hour: float | None = None  # an inventory's price for the device
    max_count: int | None = None  # how many of the device an inventory holds
    shards: int = 1  # devices one replica is split across (tensor parallel)
    share: float = 1.0  # the part of one device a replica gets (a MIG slice, a time-slice)
    prompt_tokens: int | None = None  # text generation: the request's prompt (None: the task's documented shape)
    output_tokens: int | None = None  # text generation: tokens generated per request
    power_mode: str | None = None  # one of the device's power modes (None: its default)
    steps: int | None = None  # diffusion: denoising steps an image (None: its catalog entry's)


@dataclass(frozen=True, eq=False)
class ConfigTable:
    """Configurations as parallel arrays; ``device``, ``model``, ``precision`` and
    ``placement`` index the lists of the same name. Unknown prices and counts are NaN, and so
    are request shapes that follow the task's documented one. ``mode`` indexes the device's
    ``power_modes`` (-1: the device's own figures, which are its default mode's)."""

    devices: tuple[Device, ...]
    models: tuple[ModelVariant, ...]
    precisions: tuple[str, ...]
    placements: tuple[str, ...]
    device: np.ndarray
    model: np.ndarray
    precision: np.ndarray
    placement: np.ndarray
    shards: np.ndarray
    share: np.ndarray
    usd_per_hour: np.ndarray
    max_count: np.ndarray
    prompt: np.ndarray | None = None
    output: np.ndarray | None = None
    mode: np.ndarray | None = None
    steps: np.ndarray | None = None  # diffusion: stated denoising steps (NaN: the catalog entry's)
    #: an inventory holds the devices (their purchase is paid): by default where it caps the replicas; a
    #: fleet's pools are held too, though the fleet counts their slots itself
    owned: np.ndarray | None = None

    def __post_init__(self):
        n = len(self.device)
        if self.owned is None:
            object.__setattr__(self, "owned", ~np.isnan(self.max_count))
        for name, fill, dtype in (("prompt", np.nan, float), ("output", np.nan, float), ("mode", -1, np.int64),
                                  ("steps", np.nan, float)):
            if getattr(self, name) is None:
                object.__setattr__(self, name, np.full(n, fill, dtype=dtype))

    def __len__(self) -> int:
        return len(self.device)

    def subset(self, rows: np.ndarray) -> ConfigTable:
        """The configurations ``rows`` (indices, repeats allowed), in that order."""
        per_row = ("device", "model", "precision", "placement", "shards", "share", "usd_per_hour", "max_count",
                   "prompt", "output", "mode", "steps", "owned")
        return replace(self, **{name: getattr(self, name)[rows] for name in per_row})

    def __getitem__(self, g: int) -> Config:
        price, count, prompt, output = self.usd_per_hour[g], self.max_count[g], self.prompt[g], self.output[g]
        device = self.devices[self.device[g]]
        return Config(self.models[self.model[g]], device, self.precisions[self.precision[g]],
                      self.placements[self.placement[g]], None if np.isnan(price) else float(price),
                      None if np.isnan(count) else int(count), int(self.shards[g]), float(self.share[g]),
                      None if np.isnan(prompt) else int(prompt), None if np.isnan(output) else int(output),
                      self.mode_name(g))

    def mode_name(self, g: int) -> str | None:
        """The power mode configuration ``g`` runs in (None for a device without modes)."""
        return self._mode_names[self.device[g]][self.mode[g] + 1]

    @cached_property
    def _mode_names(self) -> list[list[str | None]]:
        """Per device: the name of its default mode (None without modes), then of each mode."""
        return [[d.default_mode.name if d.default_mode else None, *(m.name for m in d.power_modes)]
                for d in self.devices]

    @cached_property
    def price_columns(self) -> dict[str, np.ndarray]:
        """What a configuration's hourly cost depends on besides its power (G x 1 each; the
        arguments of planner.perf.cost.hourly_cost): cloud and purchase prices and TDP (NaN:
        unknown), the placement, whether an inventory owns the devices, the devices one replica
        uses and an inventory's stated price."""
        def per_device(figure) -> np.ndarray:
            return self.per_device(lambda d: np.nan if figure(d) is None else figure(d).value)

        is_cloud, is_edge = (np.array([p == name for p in self.placements])[self.placement][:, None]
                             for name in ("cloud", "edge"))
        return {"cloud": self._cloud_per_device(), "purchase": per_device(lambda d: d.purchase_usd),
                "tdp_w": per_device(lambda d: d.tdp_w), "is_cloud": is_cloud, "is_edge": is_edge,
                "owned": self.owned[:, None], "devices": (self.shards * self.share)[:, None],
                "stated": self.usd_per_hour[:, None]}

    def _cloud_per_device(self) -> np.ndarray:
        """Each configuration's cloud price per device (G x 1): a replica of several devices rents
        the smallest instance that holds them (hardware Device.cloud_usd_per_device)."""
        pair = self.device.astype(np.int64) * 1024 + self.shards
        unique, back = np.unique(pair, return_inverse=True)
        prices = [self.devices[p // 1024].cloud_usd_per_device(int(p % 1024)) for p in unique.tolist()]
        return np.array([np.nan if p is None else p for p in prices], dtype=float)[back][:, None]

    def __iter__(self) -> Iterator[Config]:
        return (self[g] for g in range(len(self)))

    def per_device(self, value) -> np.ndarray:
        """``value(device)`` for each configuration's device, as a column (G x 1)."""
        return np.array([value(d) for d in self.devices], dtype=float)[self.device][:, None]

    def per_model(self, value) -> np.ndarray:
        """``value(model)`` for each configuration's model, as a column (G x 1)."""
        return np.array([value(m) for m in self.models], dtype=float)[self.model][:, None]

    def device_columns(self, values: dict[str, Callable]) -> dict[str, np.ndarray]:
        """``per_device`` for several values at once: one small table, gathered once."""
        return _gathered([[value(d) for value in values.values()] for d in self.devices], self.device, values)

    def model_columns(self, values: dict[str, Callable]) -> dict[str, np.ndarray]:
        """``per_model`` for several values at once: one small table, gathered once."""
        return _gathered([[value(m) for value in values.values()] for m in self.models], self.model, values)

    def per_device_mode(self, value) -> np.ndarray:
        """``value(device, mode)`` for each configuration's device in its power mode (None: the
        device's own figures), as a column (G x 1): a small device x mode table, gathered."""
        return self.device_mode_columns({"value": value})["value"]

    def device_mode_columns(self, values: dict[str, Callable]) -> dict[str, np.ndarray]:
        """``per_device_mode`` for several values at once: one device x mode table per value,
        gathered together."""
        width = 1 + max((len(d.power_modes) for d in self.devices), default=0)
        table = np.full((len(values), len(self.devices), width), np.nan)
        for v, value in enumerate(values.values()):
            for i, d in enumerate(self.devices):
                table[v, i, 0] = value(d, None)
                for k, mode in enumerate(d.power_modes):
                    table[v, i, k + 1] = value(d, mode)
        gathered = table[:, self.device, self.mode + 1]
        return {name: gathered[v][:, None] for v, name in enumerate(values)}

    @property
    def device_ids(self) -> np.ndarray:
        """Each configuration's device id."""
        return np.array([d.id for d in self.devices])[self.device]

    @classmethod
    def of(cls, configs: Sequence[Config]) -> ConfigTable:
        """A table of explicit configurations, in their order."""
        devices: dict[str, Device] = {}
        models: dict[str, ModelVariant] = {}
        precisions: dict[str, None] = {}
        placements: dict[str, None] = {}
        for x in configs:
            devices.setdefault(x.device.id, x.device)
            models.setdefault(x.model.id, x.model)
            precisions.setdefault(x.precision)
            placements.setdefault(x.placement)

        def index(values, keys) -> np.ndarray:
            position = {k: i for i, k in enumerate(keys)}
            return np.array([position[v] for v in values], dtype=np.int64)

        return cls(tuple(devices.values()), tuple(models.values()), tuple(precisions), tuple(placements),
                   device=index([x.device.id for x in configs], devices),
                   model=index([x.model.id for x in configs], models),
                   precision=index([x.precision for x in configs], precisions),
                   placement=index([x.placement for x in configs], placements),
                   shards=np.array([x.shards for x in configs], dtype=np.int64),
                   share=np.array([x.share for x in configs], dtype=float),
                   usd_per_hour=np.array([np.nan if x.usd_per_hour is None else x.usd_per_hour for x in configs],
                                         dtype=float),
                   max_count=np.array([np.nan if x.max_count is None else x.max_count for x in configs], dtype=float),
                   prompt=np.array([np.nan if x.prompt_tokens is None else x.prompt_tokens for x in configs], dtype=float),
                   output=np.array([np.nan if x.output_tokens is None else x.output_tokens for x in configs], dtype=float),
                   mode=np.array([_mode_index(x) for x in configs], dtype=np.int64),
                   steps=np.array([np.nan if x.steps is None else x.steps for x in configs], dtype=float))


def _gathered(rows: list[list[float]], index: np.ndarray, names) -> dict[str, np.ndarray]:
    """Columns (G x 1) of a small table (entries x values), gathered at ``index``: the values
    of each configuration's entry, each column contiguous."""
    table = np.array(rows, dtype=float).reshape(len(rows), len(names)).T.copy()
    gathered = table[:, index]
    return {name: gathered[v][:, None] for v, name in enumerate(names)}


def _mode_index(x: Config) -> int:
    """The index of ``x``'s power mode among its device's (-1: the device's own figures)."""
    if x.power_mode is None:
        return -1
    return x.device.power_modes.index(x.device.mode(x.power_mode))
