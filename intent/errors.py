"""Errors raised while reading a request. Each carries a stable ``code`` and a ``hint``."""

from __future__ import annotations

EXAMPLE_REQUEST = "lowest power, classify images in 10ms"


class IntentError(ValueError):
    """Base class for request-reading errors."""

    code = "intent-error"
    hint = ""


#: What the parser's warning says of a device name the catalog lacks (a request whose only hardware is such a
#: name is refused: UnknownDevice).
UNKNOWN_DEVICE = "not a device in the catalog"
#: IntentNotUnderstood's reason when the parser read nothing at all in the text.
NOTHING_READ = "found no task, preference, bound, hardware, precision or policy in it"


class IntentNotUnderstood(IntentError):
    """The text names no task, objective, bound, hardware or policy the parser can read."""

    code = "intent-not-understood"

    def __init__(self, text: str, reason: str):
        self.text = text
        self.reason = reason
        self.hint = f'try a request such as "{EXAMPLE_REQUEST}" or "用最低功耗在10ms内完成图像分类"'
        super().__init__(f"could not read a deployment request: {reason}")


class ImpossibleValue(IntentError):
    """A bound that cannot be planned for: negative, not finite, or in a unit the parser does not know.
    ``span`` quotes it as written."""

    code = "impossible-value"

    def __init__(self, text: str, span: str, reason: str):
        self.text = text
        self.span = span
        self.reason = reason
        self.hint = "state the bound as a positive number with a unit the parser reads (ms, s, W, GB, $/h, req/s …)"
        super().__init__(f"cannot plan for '{span}': {reason}")


class UnknownModel(IntentError):
    """The request names a model that is not in the catalog, and nothing else says what to run."""

    code = "unknown-model"

    def __init__(self, text: str, name: str, closest: list[str]):
        self.text = text
        self.name = name
        self.closest = closest
        self.hint = ("add it from its Hugging Face config.json with 'intentctl catalog import CONFIG.json', "
                     "or name the task (e.g. 'chatbot') to plan over the catalog's models")
        close = f" (closest in the catalog: {', '.join(closest)})" if closest else ""
        super().__init__(f"'{name}' is not in the model catalog{close}")


class UnknownDevice(IntentError):
    """The request names hardware the catalog lacks, and no device of the catalog beside it: a plan on
    other devices would answer another question (Whisper "on Ascend 310P cards" was planned on a T4)."""

    code = "unknown-device"

    def __init__(self, text: str, said: list[str]):
        self.text = text
        self.said = said
        self.hint = ("name a device the catalog holds ('intentctl catalog devices' lists them); a device of your own "
                     "catalog needs --catalog DIR (its devices.yaml, with the device's published figures)")
        super().__init__("the request names hardware the catalog does not hold: " + "; ".join(said))


class NotFinite(IntentError):
    """A result holds a number JSON cannot carry (NaN or infinity): a value in the request or a
    catalog figure is out of range."""

    code = "not-finite"

    def __init__(self, where: str):
        self.where = where
        self.hint = "check the numbers in the request and in any --catalog, --inventory or fleet file"
        super().__init__(f"the result holds a value that is not a finite number at {where}")


class BadArgument(IntentError):
    """An API call's argument is of the wrong kind or out of range; the message names which."""

    code = "bad-argument"

    def __init__(self, name: str, expected: str, got):
        self.name = name
        self.hint = f"pass {name} as {expected}"
        super().__init__(f"{name} must be {expected}, not {got!r}")
