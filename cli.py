"""The kozh command line: click commands that parse options, call the library and print. No logic of its own."""
from __future__ import annotations

import json
import os
import sys

import click

from glossary.errors import KozhError


def fail(message: str) -> None:
    click.echo(f"kozh: error: {message}", err=True)


class KozhGroup(click.Group):
    """Turns library errors into `kozh: error: ...` and exit 2; never a traceback."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except KozhError as exc:
            fail(str(exc))
            ctx.exit(2)
        except BrokenPipeError:
            sys.stderr.close()
            ctx.exit(0)
        except (click.exceptions.Exit, click.ClickException, SystemExit, KeyboardInterrupt):
            raise
        except Exception as exc:  # a bug: still no traceback for the user, but say what and how to see more
            if os.environ.get("KOZH_DEBUG"):
                raise
            fail(f"internal error: {type(exc).__name__}: {exc} (set KOZH_DEBUG=1 for the traceback)")
            ctx.exit(2)

    def main(self, *args, **kwargs):
        try:
            return super().main(*args, **kwargs)
        except click.UsageError as exc:  # pragma: no cover - click prints these itself
            fail(exc.format_message())
            sys.exit(2)


@click.group(cls=KozhGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="kozh")
def main():
    """kozh: Korean-Chinese name pairs, glossary and resolver."""


def _read_inputs(files: tuple[str, ...]):
    """Yield (name, text) per input; unreadable inputs are reported and remembered, others still processed."""
    from glossary.text import TextError, decode, read_text

    for name in files:
        try:
            if name == "-":
                text, _ = decode(sys.stdin.buffer.read())
            else:
                text = read_text(name)
        except TextError as exc:
            fail(f"{name}: {exc}")
            yield name, None
            continue
        yield name, text


@main.command()
@click.argument("files", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per pair.")
def extract(files, as_json):
    """Find 한국어(中文) name pairs in FILES ('-' reads stdin)."""
    from glossary.pairs import extract_pairs
    from glossary.text import LineIndex

    failed = False
    for name, text in _read_inputs(files):
        if text is None:
            failed = True
            continue
        index = LineIndex(text)
        for pair in extract_pairs(text):
            line, col = index.line_col(pair.bracket)
            row = {"file": name, "line": line, "col": col, "ko": pair.ko, "zh": pair.zh, "en": pair.en,
                   "kind": pair.kind, "score": pair.score}
            for key in ("suffix_after", "title"):
                if getattr(pair, key):
                    row[key] = getattr(pair, key)
            if pair.other_forms:
                row["other_forms"] = pair.other_forms
            if pair.linebreak:
                row["linebreak"] = True
            if as_json:
                click.echo(json.dumps(row, ensure_ascii=False))
            else:
                extra = "  ".join(f"{k}={row[k]}" for k in ("en", "suffix_after", "title") if row.get(k))
                click.echo(f"{name}:{line}:{col}\t{pair.ko}\t{pair.zh}\t{pair.kind}\t{pair.score:.2f}\t{extra}".rstrip())
    if failed:
        sys.exit(2)


if __name__ == "__main__":  # pragma: no cover
    main()
