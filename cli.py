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
        """Usage errors in the house format too: `kozh: error: ...`, a pointer to --help, exit 2."""
        kwargs["standalone_mode"] = False
        try:
            result = super().main(*args, **kwargs)
        except click.UsageError as exc:
            hint = f" (see '{exc.ctx.command_path} --help')" if exc.ctx else ""
            fail(exc.format_message() + hint)
            sys.exit(exc.exit_code)
        except click.ClickException as exc:
            fail(exc.format_message())
            sys.exit(exc.exit_code)
        except click.Abort:
            fail("aborted")
            sys.exit(1)
        sys.exit(result if isinstance(result, int) else 0)


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
    from resolver.check import Checker, find_config, findings_to_json, format_findings, read_documents, select_rules
    from resolver.mentions import load_glossary

    selected = select_rules(rules, config=config or find_config())
    errors: list[tuple[str, str]] = []
    documents = []
    for name, text in _read_inputs(tuple(f for f in files if f == "-")):
        if text is not None:
            documents.append((name, text))
        else:
            errors.append((name, "unreadable"))
    stdin_errors = len(errors)
    documents += read_documents([f for f in files if f != "-"], errors=errors)
    for path, reason in errors[stdin_errors:]:
        fail(f"{path}: {reason}")
    findings = Checker(load_glossary(_db(db)), rules=selected).check_documents(documents)
    if as_json:
        for finding in findings:
            click.echo(json.dumps(findings_to_json(finding), ensure_ascii=False))
    elif findings:
        click.echo(format_findings(findings))
    if html:
        from resolver.report import write_html

        write_html(html, documents, findings)
    sys.exit(2 if errors else 1 if findings else 0)


# ---------------------------------------------------------------- interchange


@main.command("export")
@db_option
@click.option("--format", "fmt", type=click.Choice(["tbx", "csv", "tsv", "jsonl", "omegat"]), required=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, allow_dash=True), default="-", show_default=True)
@click.option("--bom", is_flag=True, help="Start csv/tsv with a UTF-8 byte-order mark (Excel).")
@click.option("--direction", type=click.Choice(["ko-zh", "zh-ko"]), default="ko-zh", show_default=True,
              help="Source and target language for --format omegat.")
def export_(db, fmt, output, bom, direction):
    """Write the glossary as TBX-Basic, CSV/TSV, JSON lines or an OmegaT glossary."""
    from glossary.interchange import export

    out = sys.stdout.buffer if output == "-" else output
    count = export(_db(db), fmt, out, bom=bom, direction=direction)
    if output != "-":
        click.echo(f"{output}: {count} entities", err=True)


@main.command("import")
@db_option
@click.option("--format", "fmt", type=click.Choice(["tbx", "csv", "tsv", "jsonl", "omegat"]), help="Guessed when omitted.")
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
