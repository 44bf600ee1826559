"""The deployment data, typed: runtime launches (intent/data/launches.yaml) and the Kubernetes
settings (intent/data/k8s.yaml). Read lazily, validated once, cached."""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from hardware import Device
from hardware.yamlio import packaged_yaml


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


def device_matches(device: Device, match: dict[str, str]) -> bool:
    """True when every field the match names has that value on the device (an empty match fits all)."""
    return all(getattr(device, key) == value for key, value in match.items())


class Option(_Frozen):
    """One command-line option a launch may use, with the page of the pinned version that lists it."""

    flag: str
    docs: str
    values: list[str] | None = None


class Build(_Frozen):
    """An image of a server for the devices its match fits."""

    match: dict[str, str]
    image: str
    source: str
    command: list[str] | None = None


class Scale(_Frozen):
    """The Prometheus metric that tracks a server's load, and the target the autoscaler holds it to."""

    query: str
    target: int | str
    metric_type: Literal["AverageValue", "Value"]
    docs: str


class Endpoint(_Frozen):
    port: int
    path: str


class Router(_Frozen):
    """The router in front of a disaggregated plan's roles: a Python package installed into the
    pod's scratch volume by an init container, then run as a module."""

    package: str
    module: str
    port: int
    args: list[str]
    docs: str


class KvTransfer(_Frozen):
    config: dict[str, str]
    env: dict[str, str]
    side_channel_host_env: str
    port: int
    docs: str
    router: Router


class MultiNode(_Frozen):
    leader: str
    worker: str
    docs: str


class EngineBuild(_Frozen):
    command: list[str]
    style: Literal["space", "equals"]
    options: dict[str, Option]


class Launch(_Frozen):
    """How one serving stack is started (see intent/data/launches.yaml)."""

    kind: Literal["vllm", "llamacpp", "triton", "trtllm", "ovms", "tgi"]
    version: str
    docs: str
    tasks: list[str] | None
    port: int
    health: str
    metrics: Endpoint
    command: list[str]
    builds: list[Build]
    style: Literal["space", "equals"]
    options: dict[str, Option]
    scale: Scale
    #: what the server reads from /models when it does not fetch the model by its Hugging Face id
    model_format: str
    #: the written server configuration fits decoder-only models only
    decoder_only: bool = False
    kv_transfer: KvTransfer | None = None
    multi_node: MultiNode | None = None
    engine_build: EngineBuild | None = None

    def build_for(self, device: Device) -> Build | None:
        return next((b for b in self.builds if device_matches(device, b.match)), None)


class Training(_Frozen):
    """Training jobs: the generic script, the packages it needs, and the model class per task."""

    version: str
    command: list[str]
    script: str
    packages: list[str]
    packages_source: str
    model_classes: dict[str, str]
    family_model_classes: dict[str, str]
    model_format: str
    builds: list[Build]

    def build_for(self, device: Device) -> Build | None:
        return next((b for b in self.builds if device_matches(device, b.match)), None)


class EncoderDecoder(_Frozen):
    input: str
    source: str
    decoder_positions: int | None = Field(None, gt=0, description="the decoder's learned positions "
                                          "(max_target_positions): the longest output a server may be configured for")
    positions_source: str | None = None


class Helper(_Frozen):
    """The image of the helper init containers (fetching a model, checking a secret)."""

    image: str
    source: str


class LaunchFile(_Frozen):
    schema_version: Literal[1]
    encoder_decoder_families: dict[str, EncoderDecoder]
    helper: Helper
    launches: dict[str, Launch]
    training: Training


@lru_cache(maxsize=1)
def launches() -> LaunchFile:
    return LaunchFile.model_validate(packaged_yaml("intent", "launches.yaml"))


@lru_cache(maxsize=1)
def k8s_settings() -> dict:
    """intent/data/k8s.yaml as written (device fields, pod security, autoscaling, sharing, DRA)."""
    return packaged_yaml("intent", "k8s.yaml")
