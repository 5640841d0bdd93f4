"""The check as one self-contained HTML page: each document with its findings highlighted, and a summary
per entity. No external assets (styles inline, no scripts, no fonts to fetch), so the page can be mailed
or attached to a ticket and opened anywhere.

    from resolver.report import render_html, write_html
    write_html("report.html", [("a.txt", text)], findings)
"""
from __future__ import annotations

import html
import os
from collections import Counter, defaultdict
from typing import Iterable, Sequence

from glossary.errors import KozhError

from .check import RULES, Finding

__all__ = ["render_html", "write_html"]


_COLOURS = {
    "variant": "#ffe08a",
    "non-preferred": "#d6ecff",
    "deprecated": "#ffc9c9",
    "misspelling": "#ffb3d9",
    "bracket-conflict": "#ffb366",
    "unknown-pair": "#c9f2c9",
    "first-mention": "#e5dcff",
}

_STYLE = """
body { font: 15px/1.6 system-ui, -apple-system, "Segoe UI", "Noto Sans KR", "Noto Sans CJK SC", sans-serif;
       margin: 2em auto; max-width: 70em; padding: 0 1em; color: #222; }
h1 { font-size: 1.4em; } h2 { font-size: 1.15em; margin-top: 2em; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; margin: 1em 0; } td, th { border: 1px solid #ddd; padding: .25em .6em;
        text-align: left; vertical-align: top; }
th { background: #f5f5f5; }
.doc { white-space: pre-wrap; font-family: inherit; background: #fafafa; border: 1px solid #eee;
       padding: .5em 1em; }
.ln { color: #999; user-select: none; display: inline-block; min-width: 3.5em; }
.gap { color: #aaa; font-style: italic; }
mark { border-radius: 3px; padding: 0 1px; }
mark sup { font-size: .65em; color: #555; margin-left: 1px; }
.legend span { display: inline-block; margin-right: 1em; padding: 0 .4em; border-radius: 3px; }
.clean { color: #2a7a2a; }
"""


def render_html(documents: Sequence[tuple[str, str]], findings: Sequence[Finding], *,
                title: str = "kozh check", context: int | None = None) -> str:
    """The report page for documents [(file, text)] and the findings of checking them.

    Each document is shown whole, or with `context` lines around each finding and the rest folded."""
    by_file: dict[str, list[Finding]] = defaultdict(list)
    for f in findings:
        by_file[f.file].append(f)
    out = ["<!DOCTYPE html>", '<html lang="ko">', "<head>", '<meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           f"<title>{_e(title)}</title>", f"<style>{_STYLE}{_rule_styles()}</style>", "</head>", "<body>",
           f"<h1>{_e(title)}</h1>"]
    counts = Counter(f.rule for f in findings)
    summary = ", ".join(f"{n} {rule}" for rule, n in counts.most_common()) or "no findings"
    out.append(f"<p>{len(documents)} document{'s' if len(documents) != 1 else ''}, "
               f"{len(findings)} finding{'s' if len(findings) != 1 else ''}: {_e(summary)}</p>")
    out.append('<p class="legend">' + "".join(
        f'<span class="r-{rule}">{_e(rule)}</span>' for rule in RULES) + "</p>")
    out += _entity_table(findings)
    number = {id(f): i + 1 for i, f in enumerate(findings)}
    for file, text in documents:
        items = by_file.get(file, [])
        out.append(f"<h2 id=\"{_e(_anchor(file))}\">{_e(file)}</h2>")
        if not items:
            out.append('<p class="clean">no findings</p>')
            continue
        out.append(_document(text, items, number, context))
    out += ["</body>", "</html>"]
    return "\n".join(out) + "\n"


def write_html(path: str | os.PathLike[str], documents: Sequence[tuple[str, str]], findings: Sequence[Finding],
               **kwargs) -> None:
    """Write the report page; a path that cannot be written is a KozhError."""
    page = render_html(documents, findings, **kwargs)
    try:
        with open(path, "w", encoding="utf-8") as f:
            f.write(page)
    except OSError as e:
        raise KozhError(f"cannot write {path}: {e.strerror or e}") from None


def _rule_styles() -> str:
    return "".join(f".r-{rule} {{ background: {colour}; }}\n" for rule, colour in _COLOURS.items())


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _anchor(file: str) -> str:
    return "doc-" + "".join(c if c.isalnum() else "-" for c in file)


def _entity_table(findings: Sequence[Finding]) -> list[str]:
    """One row per entity: its findings by rule, the forms flagged and what to write instead."""
    groups: dict[str, list[Finding]] = {}
    for f in findings:
        groups.setdefault(f.entity_id or f.entity or f"({f.rule})", []).append(f)
    if not groups:
        return []
    rows = ["<table>", "<tr><th>entity</th><th>id</th><th>findings</th><th>written</th><th>suggested</th></tr>"]
    for key, items in groups.items():
        rules = Counter(f.rule for f in items)
        written = Counter(f.text for f in items)
        suggested = sorted({f.suggestion for f in items if f.suggestion})
        rows.append(
            "<tr>"
            f"<td>{_e(items[0].entity or '—')}</td>"
            f"<td>{_e(items[0].entity_id or '')}</td>"
            f"<td>{_e(', '.join(f'{r} ×{n}' for r, n in rules.most_common()))}</td>"
            f"<td>{_e(', '.join(f'{t} ×{n}' for t, n in written.most_common()))}</td>"
            f"<td>{_e(', '.join(suggested))}</td>"
            "</tr>")
    rows.append("</table>")
    return rows


def _document(text: str, findings: Sequence[Finding], number: dict[int, int], context: int | None) -> str:
    """The text (or the lines around the findings), each finding a <mark> with its message as tooltip."""
    from glossary.text import LineIndex

    starts = LineIndex(text).starts
    line_of = lambda offset: max(0, _bisect(starts, offset) - 1)  # noqa: E731
    if context is None:
        shown = range(len(starts))
    else:
        shown = set()
        for f in findings:
            a, b = line_of(f.start), line_of(max(f.start, f.end - 1))
            shown.update(range(max(0, a - context), min(len(starts), b + context + 1)))
    marks: dict[int, list[Finding]] = defaultdict(list)   # line -> findings on it
    for f in sorted(findings, key=lambda f: (f.start, -(f.end - f.start))):
        for line in range(line_of(f.start), line_of(max(f.start, f.end - 1)) + 1):
            marks[line].append(f)
    parts = ['<div class="doc">']
    previous = -1
    for line in sorted(shown):
        if line != previous + 1:
            parts.append('<span class="gap">…</span>\n')
        previous = line
        lo = starts[line]
        hi = starts[line + 1] - 1 if line + 1 < len(starts) else len(text)
        parts.append(f'<span class="ln">{line + 1}</span>{_marked(text, lo, hi, marks.get(line, ()), number)}\n')
    if previous + 1 < len(starts):
        parts.append('<span class="gap">…</span>\n')
    parts.append("</div>")
    return "".join(parts)


def _marked(text: str, lo: int, hi: int, marks: Iterable[Finding], number: dict[int, int]) -> str:
    """text[lo:hi] with the findings inside it (or overlapping it) wrapped in <mark>; overlaps nest in order."""
    out, pos = [], lo
    for f in marks:
        a, b = max(f.start, lo), min(f.end, hi)
        if b <= a and not (f.start == f.end and lo <= f.start <= hi):
            continue
        if a < pos:   # overlapping an earlier mark: shown by the earlier one, still counted in the tooltip
            continue
        out.append(_e(text[pos:a]))
        tip = f"{f.rule}: {f.message}" + (f" → {f.suggestion}" if f.suggestion else "")
        out.append(f'<mark class="r-{_e(f.rule)}" title="{_e(tip)}" data-rule="{_e(f.rule)}">'
                   f"{_e(text[a:b])}<sup>{number.get(id(f), '')}</sup></mark>")
        pos = b
    out.append(_e(text[pos:hi]))
    return "".join(out)


def _bisect(starts: list[int], offset: int) -> int:
    from bisect import bisect_right

    return bisect_right(starts, offset)
