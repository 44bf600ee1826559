"""Tables that fit the terminal: ids are never cut, the less important columns go first.

A column has a rank: 0 is always shown; when the table would be wider than the terminal, the
columns of the highest rank are left out until the rest fit, and the caption names them
(``--wide`` shows every column). A ``whole`` column (ids) never wraps or shortens a line; the
others fold what does not fit.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.table import Table
from rich.text import Text

#: Width a column adds beyond its text in rich's default box: one space each side and a border.
COLUMN_FRAME = 3


@dataclass(frozen=True)
class Column:
    header: str
    rank: int = 0
    justify: str = "left"
    whole: bool = False


def text_width(cell: str) -> int:
    """Width of the longest line of a cell, wide (CJK) characters counted twice."""
    from rich.cells import cell_len

    return max((cell_len(line) for line in str(cell).splitlines()), default=0)


def natural_width(column: Column, cells: list) -> int:
    """The width a column takes without wrapping its cells (its header is a word per line)."""
    header = max((text_width(word) for word in column.header.split()), default=0)
    return max([header, *(text_width(c) for c in cells)]) + COLUMN_FRAME


#: The caption naming the columns left out, for a command with --wide and for one without.
WIDE_HINT, NARROW_HINT = "--wide adds", "left out at this width"


def fitted_table(title: str, columns: list[Column], rows: list[list], width: int | None,
                 hint: str = NARROW_HINT) -> Table:
    """A table of ``rows`` (text, or rich Text for styled cells) in at most ``width`` terminal
    columns (None: every column); ``hint`` leads the caption naming what was left out."""
    natural = [natural_width(c, [row[i] for row in rows]) for i, c in enumerate(columns)]
    shown = list(range(len(columns)))
    for rank in sorted({c.rank for c in columns if c.rank > 0}, reverse=True):
        if width is None or sum(natural[i] for i in shown) + 1 <= width:
            break
        shown = [i for i in shown if columns[i].rank < rank]
    dropped = [columns[i].header for i in range(len(columns)) if i not in shown]
    caption = f"{hint}: {', '.join(dropped)}" if dropped else None
    table = Table(title=title, caption=caption)
    for i in shown:
        c = columns[i]
        header = c.header.replace(" ", "\n")  # a word per line: the header is never wider than its words
        if c.whole:
            table.add_column(header, justify=c.justify, no_wrap=True, min_width=natural[i] - COLUMN_FRAME)
        else:
            table.add_column(header, justify=c.justify, overflow="fold")
    for row in rows:
        table.add_row(*(Text(row[i]) if isinstance(row[i], str) else row[i] for i in shown))
    return table


def table_width(columns: list[Column], rows: list[list[str]]) -> int:
    """The width the whole table takes with every column shown."""
    return sum(natural_width(c, [row[i] for row in rows]) for i, c in enumerate(columns)) + 1
