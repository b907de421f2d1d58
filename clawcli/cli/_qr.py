"""The funding QR code in a terminal: two modules per character cell (``▀``: the top module is
the foreground, the bottom one the background), both colours set explicitly, so dark modules are
black and light ones white on any theme (drawing only one colour of blocks inverted the code on
light themes). A terminal too narrow for the whole code gets none: a wrapped code cannot be read.
"""

from __future__ import annotations

QUIET_ZONE = 4  # modules of white border the QR spec asks for (scanners need it)
_FG = {True: "30", False: "97"}  # dark module: black; light module: bright white
_BG = {True: "40", False: "107"}
_RESET = "\x1b[0m"


def qr_matrix(data: str) -> list[list[bool]]:
    """The code's modules (True = dark), quiet zone included."""
    import segno

    code = segno.make(data, error="m")
    return [[bool(v) for v in row] for row in code.matrix_iter(scale=1, border=QUIET_ZONE)]


def qr_width(data: str) -> int:
    """Columns the code needs (one per module)."""
    return len(qr_matrix(data)[0])


def render_color(matrix: list[list[bool]]) -> list[str]:
    """Lines of ``▀`` cells with explicit foreground (top module) and background (bottom module)."""
    rows = list(matrix)
    if len(rows) % 2:
        rows.append([False] * len(rows[0]))  # light padding below the quiet zone
    lines = []
    for top, bottom in zip(rows[0::2], rows[1::2]):
        cells = [f"\x1b[{_FG[t]};{_BG[b]}m▀" for t, b in zip(top, bottom)]
        lines.append("".join(cells) + _RESET)
    return lines


def render_plain(data: str) -> list[str]:
    """Without colours (NO_COLOR, a pipe): segno's own half-block text (light modules drawn)."""
    import io

    import segno

    buf = io.StringIO()
    segno.make(data, error="m").terminal(out=buf, compact=True)
    return buf.getvalue().rstrip("\n").splitlines()
