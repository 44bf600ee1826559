"""Progress on stderr for work that can take more than a second (plans, fleet plans, large catalogs).

The display is rich's progress bar (pulsing: the solver does not report a share done), with
what is being done and the time it has taken. It starts only after ``DELAY_S``, so quick work
shows nothing, and it is off with ``--quiet`` or when stderr is not a terminal (pipes, logs,
tests). It is transient: nothing of it stays on the screen.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

#: Work shorter than this shows no progress at all.
DELAY_S = 0.5


def shown(quiet: bool, stream=None) -> bool:
    """Whether progress is drawn: not asked to be quiet, and stderr is a terminal."""
    stream = stream if stream is not None else sys.stderr
    return not quiet and hasattr(stream, "isatty") and stream.isatty()


@contextmanager
def progress(description: str, quiet: bool = False) -> Iterator[Callable[[str], None]]:
    """Show ``description`` with a pulsing bar while the block runs; yields a function that
    replaces the description as the work moves on (``step("solving")``)."""
    if not shown(quiet):
        yield lambda _text: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    bar = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(),
                   console=Console(stderr=True), transient=True)
    task = bar.add_task(description, total=None)
    timer = threading.Timer(DELAY_S, bar.start)
    timer.daemon = True
    timer.start()
    try:
        yield lambda text: bar.update(task, description=text)
    finally:
        timer.cancel()
        timer.join()
        bar.stop()
