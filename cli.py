"""The kozh command line: click commands that parse options, call the library and print. No logic of its own."""
from __future__ import annotations

import json
import os
import sqlite3
import sys

import click

from glossary.errors import KozhError


def fail(message: str) -> None:
    click.echo(f"kozh: error: {message}", err=True)


class KozhCommand(click.Command):
    """A command whose refused database writes (disk full, read-only) name the database."""

    def invoke(self, ctx):
        from glossary.output import database_error

        try:
            return super().invoke(ctx)
        except sqlite3.DatabaseError as exc:
            mapped = database_error(_db(ctx.params.get("db")), exc)
            if mapped is None:
                raise
            raise mapped from None


class KozhGroup(click.Group):
    """Turns library errors into `kozh: error: ...` and exit 2; never a traceback. The one error path:
    output that cannot be written is `cannot write output: <reason>`, a closed pipe a quiet exit."""

    command_class = KozhCommand
    group_class = type  # subgroups (alias) are KozhGroups too

    def invoke(self, ctx):
        from glossary.output import OutputGone

        try:
            return super().invoke(ctx)
        except KozhError as exc:
            fail(str(exc))
            ctx.exit(2)
        except (BrokenPipeError, OutputGone):
            ctx.exit(0)
        except (click.exceptions.Exit, click.ClickException, SystemExit, KeyboardInterrupt):
            raise
        except Exception as exc:  # a bug: still no traceback for the user, but say what and how to see more
            if os.environ.get("KOZH_DEBUG"):
                raise
            fail(f"internal error: {type(exc).__name__}: {exc} (set KOZH_DEBUG=1 for the traceback)")
            ctx.exit(2)

    def main(self, *args, **kwargs):
        """Usage errors in the house format too: `kozh: error: ...`, a pointer to --help, exit 2.
        Standard output is flushed here, inside the error handling, not at interpreter exit."""
        from glossary.output import OutputError, OutputGone, finish_stdout, guard_stdout

        guard_stdout()
        kwargs["standalone_mode"] = False
        code = 0
        try:
            result = super().main(*args, **kwargs)
            code = result if isinstance(result, int) else 0
        except SystemExit as exc:
            code = exc.code
        except click.UsageError as exc:
            hint = f" (see '{exc.ctx.command_path} --help')" if exc.ctx else ""
            fail(exc.format_message() + hint)
            code = exc.exit_code
        except click.ClickException as exc:
            fail(exc.format_message())
            code = exc.exit_code
        except click.Abort:
            fail("aborted")
            code = 1
        try:
            finish_stdout()
        except OutputGone:
            pass
        except OutputError as exc:
            fail(str(exc))
            code = 2
        sys.exit(code)


@click.group(cls=KozhGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="kozh")
def main():
    """kozh: Korean-Chinese name pairs, glossary and resolver."""


def _open_inputs(files: tuple[str, ...]):
    """Yield (name, Input) per input, '-' being standard input; an unreadable input is reported and
    yields (name, None), the others are still processed. Each Input is closed when the next is opened."""
    from glossary.text import TextError, open_input, open_stream

    for name in files:
        try:
            source = open_stream(sys.stdin.buffer if sys.stdin else None) if name == "-" else open_input(name)
        except TextError as exc:
            fail(f"{name}: {exc}")
            yield name, None
            continue
        with source:
            yield name, source


def _pair_row(name: str, pair, line: int, col: int) -> dict:
    """One `kozh extract --json` object: where the bracket is, then the pair."""
    return {"file": name, "line": line, "col": col, **pair.to_json()}


@main.command()
@click.argument("files", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per pair.")
def extract(files, as_json):
    """Find 한국어(中文) name pairs in FILES ('-' reads stdin)."""
    from glossary.stream import iter_pairs
    from glossary.text import TextError

    failed = False
    for name, source in _open_inputs(files):
        if source is None:
            failed = True
            continue
        try:
            # pairs are printed as the windows yield them: memory stays bounded on a 100 MB line
            for pair, line, col in iter_pairs(source.pieces()):
                row = _pair_row(name, pair, line, col)
                if as_json:
                    click.echo(json.dumps(row, ensure_ascii=False))
                else:
                    extra = "  ".join(f"{k}={row[k]}" for k in ("en", "suffix_after", "title") if row.get(k))
                    click.echo(f"{name}:{line}:{col}\t{pair.ko}\t{pair.zh}\t{pair.kind}\t{pair.score:.2f}\t{extra}".rstrip())
        except TextError as exc:
            fail(f"{name}: {exc}")
            failed = True
    if failed:
        sys.exit(2)


# ---------------------------------------------------------------- glossary


def db_option(fn):
    """--db PATH, else $KOZH_DB, else the user glossary (or, until the first edit, the shipped one)."""
    return click.option("--db", "db", type=click.Path(dir_okay=False), default=None,
                        help="Glossary database (default: $KOZH_DB, else your own glossary in the user data "
                             "folder, made from the shipped one on the first edit).")(fn)


def _db(db: str | None, *, write: bool = False) -> str:
    """The glossary a command uses; a writing command without --db or $KOZH_DB writes the user glossary."""
    from glossary.shipped import default_db_path

    return str(db or default_db_path(write=write))


@main.command()
@db_option
@click.option("--jobs", type=click.IntRange(1, 64), default=2, show_default=True, help="Extraction processes.")
@click.option("--relink", is_flag=True, help="Relink entities even if no document changed.")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
def build(db, jobs, relink, paths):
    """Extract pairs from files and folders into the glossary, link entities, re-apply curation."""
    from glossary.build import build as run_build

    path = _db(db, write=True)
    # a progress bar on a terminal, quiet otherwise
    bar = click.progressbar(length=1, label="building", file=sys.stderr) if sys.stderr.isatty() else None

    def progress(done, total, _path):
        bar.length = total
        bar.update(done - bar.pos)
    try:
        report = run_build(path, paths, jobs=jobs, progress=progress if bar else None, relink_always=relink)
    finally:
        if bar is not None:
            bar.render_finish()
    for skipped_path, why in report.skipped:
        click.echo(f"kozh: skipped {skipped_path}: {why}", err=True)
    for failed_path, message in report.failed:
        fail(f"{failed_path}: {message}")
    for problem in report.curation_problems:
        click.echo(f"kozh: curation no longer applies: {problem}", err=True)
    click.echo(f"{path}: {report.files} files ({report.added} added, {report.updated} updated, "
               f"{report.unchanged} unchanged), {report.mentions} pairs, {report.entities} entities", err=True)
    if report.failed:
        sys.exit(2)


@main.command()
@db_option
@click.option("--json", "as_json", is_flag=True)
def stats(db, as_json):
    """Entities by kind; aliases by language, status and origin; documents; mentions."""
    from glossary.store import stats as db_stats

    counts = db_stats(_db(db))
    if as_json:
        click.echo(json.dumps(counts, ensure_ascii=False))
        return
    click.echo(f"entities   {counts['entities']['total']}")
    for kind, n in counts["entities"]["by_kind"].items():
        click.echo(f"  {kind:<10} {n}")
    click.echo(f"aliases    {counts['aliases']['total']}")
    for group in ("by_lang", "by_status", "by_origin"):
        click.echo("  " + "  ".join(f"{k} {n}" for k, n in counts["aliases"][group].items()))
    for key in ("documents", "mentions", "redirects", "curation_ops"):
        click.echo(f"{key:<10} {counts[key]}")


@main.command()
@db_option
@click.option("--kind", required=True, type=click.Choice(["person", "org", "place", "product", "term", "event", "doc", "other"]))
@click.option("--ko", help="Preferred Korean form.")
@click.option("--en", help="English form.")
@click.argument("zh")
def add(db, kind, ko, en, zh):
    """Add an entity by hand (kept across rebuilds)."""
    from glossary import curation

    click.echo(curation.add(_db(db, write=True), kind, zh, ko=ko, en=en))


@main.group()
def alias():
    """Add or remove an alias of an entity."""


@alias.command("add")
@db_option
@click.option("--lang", type=click.Choice(["ko", "zh-Hans", "zh-Hant", "en", "pinyin"]), help="Guessed from the script when omitted.")
@click.option("--status", type=click.Choice(["preferred", "admitted", "deprecated"]), default="admitted", show_default=True)
@click.argument("entity")
@click.argument("text")
def alias_add(db, lang, status, entity, text):
    """Give ENTITY (an id or any alias naming it) the alias TEXT."""
    from glossary import curation

    click.echo(curation.alias_add(_db(db, write=True), entity, text, lang=lang, status=status))


@alias.command("remove")
@db_option
@click.argument("entity")
@click.argument("text")
def alias_remove(db, entity, text):
    """Remove the alias TEXT from ENTITY."""
    from glossary import curation

    click.echo(curation.alias_remove(_db(db, write=True), entity, text))


@main.command()
@db_option
@click.argument("a")
@click.argument("b")
def merge(db, a, b):
    """Merge entity B into A; B's id keeps redirecting to A."""
    from glossary import curation

    click.echo(curation.merge(_db(db, write=True), a, b))


@main.command()
@db_option
@click.argument("entity")
@click.argument("aliases", nargs=-1, required=True)
def split(db, entity, aliases):
    """Move ALIASES of ENTITY into a new entity; prints its id."""
    from glossary import curation

    click.echo(curation.split(_db(db, write=True), entity, aliases))


@main.command()
@db_option
@click.argument("entity")
@click.argument("form")
def prefer(db, entity, form):
    """Make FORM the preferred alias of its language for ENTITY."""
    from glossary import curation

    click.echo(curation.prefer(_db(db, write=True), entity, form))


@main.command()
@db_option
@click.argument("entity")
@click.argument("form")
def deprecate(db, entity, form):
    """Mark FORM of ENTITY as deprecated (kept, flagged by kozh check)."""
    from glossary import curation

    click.echo(curation.deprecate(_db(db, write=True), entity, form))


@main.command()
@db_option
@click.option("--json", "as_json", is_flag=True, help="One JSON object per finding.")
@click.option("--html", "html", type=click.Path(dir_okay=False), help="Also write a self-contained HTML report.")
@click.option("--rules", help="Rules to run (variant,misspelling) or changes (+first-mention,-unknown-pair).")
@click.option("--config", type=click.Path(dir_okay=False, exists=True), help="kozh.toml (default: found upwards from here).")
@click.argument("files", nargs=-1, required=True)
def check(db, as_json, html, rules, config, files):
    """Report names written inconsistently or against the glossary. Exit 0 clean, 1 findings, 2 error."""
    from glossary.output import atomic_file
    from glossary.stream import WindowedCheck
    from glossary.text import TextError
    from resolver.check import Checker, find_config, findings_to_json, format_findings, select_rules
    from resolver.mentions import load_glossary

    selected = select_rules(rules, config=config or find_config())
    inputs = None  # the glossary is compiled on first need: an input refused at once is reported at once
    failed = False
    for name, source in _open_inputs(files):
        if source is None:
            failed = True
            continue
        inputs = inputs or WindowedCheck(Checker(load_glossary(_db(db)), rules=selected))
        try:
            inputs.add(name, source.pieces())
        except TextError as exc:
            fail(f"{name}: {exc}")
            failed = True
    findings = inputs.findings() if inputs else []
    if as_json:
        for finding in findings:
            click.echo(json.dumps(findings_to_json(finding), ensure_ascii=False))
    elif findings:
        click.echo(format_findings(findings))
    if html:
        from resolver.report import write_html

        with atomic_file(html) as tmp:
            write_html(tmp, inputs.texts() if inputs else [], findings)
    sys.exit(2 if failed else 1 if findings else 0)


# ---------------------------------------------------------------- interchange


@main.command("export")
@db_option
@click.option("--format", "fmt", type=click.Choice(["tbx", "tbx2", "csv", "tsv", "jsonl", "omegat"]), required=True,
              help="tbx: TBX-Basic v3; tbx2: TBX-Basic 2008 (<martif>, OmegaT and older tools).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, allow_dash=True), default="-", show_default=True)
@click.option("--layout", type=click.Choice(["generic", "memoq", "trados"]), default="generic", show_default=True,
              help="Column names and layout of csv/tsv: kozh's own, or what memoQ or Trados maps on import.")
@click.option("--include-readings", is_flag=True,
              help="Also write the Sino-Korean readings kept only for matching (as deprecated terms).")
@click.option("--bom", is_flag=True, help="Start csv/tsv with a UTF-8 byte-order mark (Excel).")
@click.option("--direction", type=click.Choice(["ko-zh", "zh-ko"]), default="ko-zh", show_default=True,
              help="Source and target language for --format omegat.")
def export_(db, fmt, output, layout, include_readings, bom, direction):
    """Write the glossary as TBX-Basic (v3 or 2008), CSV/TSV, JSON lines or an OmegaT glossary."""
    from glossary.interchange import export

    from glossary.output import atomic_file, stdout_binary

    options = dict(bom=bom, direction=direction, layout=layout, include_readings=include_readings)
    if output == "-":
        count = export(_db(db), fmt, stdout_binary(), **options)
    else:
        with atomic_file(output) as tmp:  # a failed export leaves no half-written file
            count = export(_db(db), fmt, tmp, **options)
    if output != "-":
        click.echo(f"{output}: {count} entities", err=True)


@main.command("import")
@db_option
@click.option("--format", "fmt", type=click.Choice(["tbx", "tbx2", "csv", "tsv", "jsonl", "omegat"]),
              help="Guessed when omitted (tbx reads v3 and v2 alike).")
@click.option("--map", "mapping", multiple=True, metavar="HEADER=LANG",
              help="CSV header mapping, e.g. --map Korean=ko --map 中文=zh-Hans (LANG '-' ignores the column).")
@click.argument("path", type=click.Path(dir_okay=False))
def import_(db, fmt, mapping, path):
    """Merge a termbase file into the glossary (kept across rebuilds); all of it or nothing."""
    from glossary.interchange import import_file
    from resolver import Resolver

    columns = {}
    for item in mapping:
        header, sep, lang = item.partition("=")
        if not sep:
            raise KozhError(f"--map {item!r}: write HEADER=LANG")
        columns[header] = None if lang == "-" else lang
    target = _db(db, write=True)
    resolver = Resolver(target)
    report = import_file(target, path, fmt=fmt, mapping=columns or None, match=resolver.match_entity)
    for line in report.warnings + report.skipped:
        click.echo(f"kozh: {path}: {line}", err=True)
    click.echo(f"{path}: {report.entries} entries ({report.created} new, {report.merged} merged, "
               f"{report.unchanged} unchanged)", err=True)


@main.command()
@db_option
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=click.IntRange(1, 65535), default=8750, show_default=True)
@click.option("--allow-write", is_flag=True, help="Open POST /entity/{id}/alias to bearer-token callers.")
@click.option("--token", envvar="KOZH_TOKEN", help="Bearer token for writes (or $KOZH_TOKEN).")
def serve(db, host, port, allow_write, token):
    """Serve the resolver over HTTP (needs kozh[serve]); GET / is a lookup page."""
    try:
        from resolver.serve import serve as run
    except ImportError as exc:
        raise KozhError(f"kozh serve needs the serve extra: pip install 'kozh[serve]' ({exc})") from None
    run(_db(db, write=allow_write), host=host, port=port, allow_write=allow_write, token=token)


# ---------------------------------------------------------------- resolver


def _names(names: tuple[str, ...]) -> list[str]:
    """NAME arguments; '-' reads one name per line from stdin (blank lines skipped)."""
    out: list[str] = []
    for name in names:
        if name == "-":
            out.extend(line.rstrip("\r\n") for line in sys.stdin if line.strip())
        else:
            out.append(name)
    return out


@main.command()
@db_option
@click.option("--json", "as_json", is_flag=True, help="One JSON object per name, in input order.")
@click.option("--kind", type=click.Choice(["person", "org", "place", "product", "term", "event", "doc", "other"]))
@click.option("--limit", type=click.IntRange(1, 50), default=5, show_default=True, help="Candidates per name.")
@click.argument("names", nargs=-1, required=True)
def resolve(db, as_json, kind, limit, names):
    """Resolve each NAME (any spelling) to its glossary entity; '-' reads names from stdin."""
    from resolver import Resolver, to_json

    resolver = Resolver(_db(db))
    for name in _names(names):
        matches = resolver.resolve(name, kind=kind, limit=limit)
        if as_json:
            click.echo(json.dumps(to_json(name, matches), ensure_ascii=False))
            continue
        best = matches[0] if matches and matches[0].confident else None
        if best:
            click.echo(f"{name}\t{best.zh}\t{best.ko or ''}\t{best.en or ''}\t{best.method}\t{best.score:.2f}\t{best.why}")
        else:
            hint = ", ".join(f"{m.zh} ({m.score:.2f})" for m in matches[:3])
            click.echo(f"{name}\t-\tno confident match" + (f"; candidates: {hint}" if hint else ""))


@main.command()
@db_option
@click.option("--json", "as_json", is_flag=True, help="One JSON object per name, in input order.")
@click.option("--kind", type=click.Choice(["person", "place"]), help="Read a surname / translate a one-character core's affix.")
@click.argument("names", nargs=-1, required=True)
def translit(db, as_json, kind, names):
    """Standard Korean form of Chinese NAMEs; Chinese candidates for Hangul or pinyin NAMEs; '-' reads stdin."""
    from glossary.scripts import is_hangul_syllable
    from glossary.translit import translit as render

    resolver = None
    failed = False
    for name in _names(names):
        if resolver is None and any(is_hangul_syllable(c) for c in name):  # only Hangul asks the glossary
            from resolver import Resolver
            resolver = Resolver(_db(db))
        try:
            out = render(name, kind=kind, resolver=resolver)
        except KozhError as exc:
            fail(str(exc))
            failed = True
            continue
        if as_json:
            click.echo(json.dumps(out, ensure_ascii=False))
        elif "ko" in out:
            extra = f"\t{', '.join(out['alternatives'])}" if out["alternatives"] else ""
            click.echo(f"{name}\t{out['ko']}\t{out['sino'] or '-'}\t{out['pinyin']}{extra}")
        else:
            click.echo(f"{name}\t{', '.join(out['zh']) or '-'}\t{' | '.join(out['pinyin'][:3])}")
    if failed:
        sys.exit(2)


@main.command()
@db_option
@click.option("--json", "as_json", is_flag=True)
@click.argument("name")
def lookup(db, as_json, name):
    """Entity card for NAME: every form, status and count, and where it was seen. Exit 1 if unknown."""
    from resolver.lookup import lookup as find

    card = find(name, db=_db(db))
    if card is None:
        if as_json:
            click.echo("null")
        else:
            click.echo(f"kozh: no entity for {name!r}", err=True)
        sys.exit(1)
    if card.get("in_glossary") is False:
        if as_json:
            click.echo(json.dumps(card, ensure_ascii=False))
        else:
            r = card["rendering"]
            click.echo(f"{name}  not in the glossary — standard form {r['ko']} · Sino-Korean {r['sino']} · {r['pinyin']}")
            if r["alternatives"]:
                click.echo(f"  also written {', '.join(r['alternatives'])}")
            click.echo(f"  why         {r['why']}")
        sys.exit(1)
    if as_json:
        click.echo(json.dumps(card, ensure_ascii=False))
        return
    click.echo(f"{card['ko'] or card['zh']}  {card['zh']}  [{card['kind']}, {card['id']}]")
    for label, value in (("Korean", card["ko"]), ("Chinese", card["zh"]), ("traditional", card["zh_hant"]),
                         ("pinyin", card["pinyin"]), ("English", card["en"])):
        if value:
            click.echo(f"  {label:<12}{value}")
    click.echo(f"  matched     {card['match']['alias']} ({card['match']['method']}, {card['match']['score']:.2f})")
    click.echo("  aliases")
    for a in card["aliases"]:
        click.echo(f"    {a['lang']:<8}{a['text']}  {a['status']}, {a['origin']}, seen {a['count']}x")
    if card["sources"]:
        click.echo("  sources")
        for src in card["sources"]:
            click.echo(f"    {src['file']}:{src['line']}:{src['col']}  {src['context']}")


if __name__ == "__main__":  # pragma: no cover
    main(prog_name="kozh")
