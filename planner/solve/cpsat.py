"""OR-Tools CP-SAT, imported without paying for pandas up front.

``ortools.sat.python.cp_model`` imports pandas at module level, yet uses it only in
annotations and in its optional pandas helpers (``new_int_var_series`` and the like),
which intentctl never calls. Importing pandas is about a quarter of a second: a third of
what a one-shot ``intentctl plan`` spends in all. So while cp_model is imported, the name
``pandas`` resolves to a stand-in whose attributes are placeholder classes; once the import
is done, the stand-in forwards every attribute to the real pandas, imported on first use.
Anyone calling cp_model's pandas helpers gets real pandas objects, and one pandas module
is ever loaded.

If the imported module bound a placeholder to a name of its own (``from pandas import
Series`` in some later OR-Tools) or reached into pandas' submodules, the stand-in is dropped
and the module imported again with real pandas: slower, never wrong.

Only the CLI asks for this (:func:`defer_pandas`): while cp_model is being imported, another
thread importing pandas would be handed the stand-in, and a CLI process runs no threads of
anyone else's. Applications calling the Python API import cp_model as it is.
"""

from __future__ import annotations

import importlib
import sys
import types
from functools import lru_cache

CP_MODEL = "ortools.sat.python.cp_model"
_defer_pandas = False


class _Placeholder:
    """Stands for a pandas class while a module that names it in annotations is imported."""


class _DeferredModule(types.ModuleType):
    """A module name that serves placeholders until :meth:`forward`, then the real module."""

    def __init__(self, name: str):
        super().__init__(name)
        self._forwarding = False
        self._placeholders: dict[str, type] = {}

    def __getattr__(self, attribute: str):
        if attribute.startswith("__"):
            raise AttributeError(attribute)
        if self._forwarding:
            return getattr(importlib.import_module(self.__name__), attribute)
        return self._placeholders.setdefault(
            attribute, type(attribute, (_Placeholder,), {"__module__": self.__name__}))

    def forward(self) -> None:
        self._forwarding = True


def import_deferring(module: str, deferred: str = "pandas") -> types.ModuleType:
    """Import ``module`` with ``deferred`` loaded only when something first uses it."""
    if module in sys.modules or deferred in sys.modules:
        return importlib.import_module(module)
    stand_in = _DeferredModule(deferred)
    sys.modules[deferred] = stand_in
    try:
        imported = importlib.import_module(module)
    except ImportError:  # it reached into the deferred package's submodules
        imported = None
    finally:
        if sys.modules.get(deferred) is stand_in:
            del sys.modules[deferred]
    stand_in.forward()
    if imported is None or _holds_placeholder(imported):
        sys.modules.pop(module, None)
        importlib.import_module(deferred)
        imported = importlib.import_module(module)
    return imported


def _holds_placeholder(module: types.ModuleType) -> bool:
    """Whether the module bound a placeholder class itself, outside any annotation."""
    return any(isinstance(value, type) and issubclass(value, _Placeholder)
               for value in vars(module).values())


def defer_pandas() -> None:
    """Import cp_model with pandas deferred from now on in this process (the CLI's start-up)."""
    global _defer_pandas  # a process-wide choice, made once by the entry point
    _defer_pandas = True


@lru_cache(maxsize=1)
def cp_model() -> types.ModuleType:
    """The ``cp_model`` module, imported at the first plan."""
    return import_deferring(CP_MODEL) if _defer_pandas else importlib.import_module(CP_MODEL)
