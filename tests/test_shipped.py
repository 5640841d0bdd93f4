"""The shipped glossary data/aliases.sqlite: present, deterministic, and agreeing with the dev gold."""
import itertools
import json
import sqlite3
from pathlib import Path

import pytest

from glossary.build import build
from glossary.shipped import data_dir

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SHIPPED = data_dir() / "aliases.sqlite"
CONTENT = {
    "entities": "SELECT id, kind, ko, zh, en FROM entities ORDER BY id",
    "aliases": "SELECT entity_id, lang, text, status, origin, count FROM aliases ORDER BY entity_id, lang, text",
    "documents": "SELECT path, sha256, size, pairs FROM documents ORDER BY path",
    "mentions": "SELECT document_id, seq, line, col, ko, zh, en, kind, snippet FROM mentions ORDER BY document_id, seq",
    "redirects": "SELECT old_id, new_id FROM redirects ORDER BY old_id",
}
needs_shared = pytest.mark.skipif(not (SHARED / "corpus").is_dir(), reason="../shared/corpus is not beside this checkout")


def content(path):
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return {table: conn.execute(sql).fetchall() for table, sql in CONTENT.items()}
    finally:
        conn.close()


def test_shipped_glossary_is_installed_and_holds_the_curated_entries():
    tables = content(SHIPPED)
    zh = {row[3] for row in tables["entities"]}
    assert {"北京市", "成都市", "宁德时代", "比亚迪", "清华大学"} <= zh
    assert len(tables["entities"]) > 700


@needs_shared
def test_shipped_glossary_is_the_documented_build(tmp_path, monkeypatch):
    """`kozh build --db data/aliases.sqlite ../shared/corpus`, run from the checkout, gives the same content."""
    monkeypatch.chdir(ROOT)
    rebuilt = tmp_path / "rebuilt.sqlite"
    build(rebuilt, ["../shared/corpus"])
    assert content(rebuilt) == content(SHIPPED)


@needs_shared
def test_shipped_glossary_agrees_with_the_gold_entities():
    gold = [json.loads(line) for line in (SHARED / "eval" / "pairs-dev.jsonl").open(encoding="utf-8")]
    gold = [g for g in gold if g.get("label") == "pair" and g.get("zh")]
    conn = sqlite3.connect(f"file:{SHIPPED}?mode=ro", uri=True)
    entity_of = {}
    for path, line, zh, entity in conn.execute(
            """SELECT d.path, m.line, m.zh, a.entity_id FROM mentions m JOIN documents d ON d.id = m.document_id
               JOIN aliases a ON a.id = m.zh_alias_id"""):
        entity_of[(Path(path).name, line, zh)] = entity
    conn.close()
    found = [(g["canonical"], entity_of.get((g["file"], g["line"], g["zh"]))) for g in gold]
    missing = [g for g, (_, e) in zip(gold, found) if e is None]
    assert not missing, missing[:5]
    tp = fp = fn = 0
    for (c1, e1), (c2, e2) in itertools.combinations(found, 2):
        same_gold, same_db = c1 == c2, e1 == e2
        tp += same_gold and same_db
        fp += same_db and not same_gold
        fn += same_gold and not same_db
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    f1 = 2 * precision * recall / (precision + recall)
    print(f"pairwise P={precision:.3f} R={recall:.3f} F1={f1:.3f}")
    assert f1 >= 0.95
