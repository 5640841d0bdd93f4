"""Curation ops: each applies at once, is logged, and survives every later build."""
import hashlib
import json
import shutil
import sqlite3
from collections import defaultdict
from pathlib import Path

import pytest

from glossary import curation
from glossary.build import build
from glossary.errors import KozhError
from glossary.link import entity_id_for
from glossary.store import open_db, replace_document, transaction

GOLD = Path(__file__).resolve().parents[2] / "shared" / "eval" / "pairs-dev.jsonl"
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
TABLES = ("meta", "entities", "aliases", "documents", "mentions", "redirects", "curation")


def add_document(db_path, name, mentions):
    """Store a document's mentions the way build does, without needing the extractor."""
    db = open_db(db_path, write=True, create=True)
    try:
        with transaction(db) as conn:
            digest = hashlib.sha256(json.dumps(mentions, ensure_ascii=False).encode()).hexdigest()
            replace_document(conn, name, digest, 0, [
                {"seq": seq, "line": m.get("line", 1), "col": 1, "ko": m["ko"], "zh": m["zh"], "en": m.get("en"),
                 "kind": m.get("kind", "other"), "score": 1.0, "suffix_after": m.get("suffix_after"),
                 "title": m.get("title"), "other_forms": m.get("other_forms"),
                 "snippet": (m.get("context") or m["zh"])[-100:]}
                for seq, m in enumerate(mentions)])
    finally:
        db.close()


@pytest.fixture
def gold_db(tmp_path):
    """A glossary linked from the hand-made gold pairs (no extractor involved)."""
    if not GOLD.exists():
        pytest.skip(f"gold pairs not found at {GOLD}")
    by_file = defaultdict(list)
    for line in GOLD.read_text("utf-8").splitlines():
        row = json.loads(line)
        if row.get("label") == "pair":
            by_file[row["file"]].append(row)
    path = tmp_path / "gold.sqlite"
    for name, mentions in sorted(by_file.items()):
        add_document(path, name, mentions)
    rebuild(path)
    return path


def rebuild(path):
    report = build(path, [], curated=[], relink_always=True)
    assert report.relinked
    return report


def q(path, sql, *params):
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def entity_of(path, zh):
    (row,) = q(path, "SELECT DISTINCT entity_id FROM aliases WHERE text = ?", zh)
    return row[0]


def entity(path, entity_id):
    return q(path, "SELECT kind, ko, zh, en FROM entities WHERE id = ?", entity_id)[0]


def aliases(path, entity_id):
    return q(path, "SELECT lang, text, status, origin FROM aliases WHERE entity_id = ? ORDER BY lang, text", entity_id)


def dump(path):
    conn = sqlite3.connect(path)
    try:
        return {t: sorted(conn.execute(f"SELECT * FROM {t}"), key=repr) for t in TABLES}
    finally:
        conn.close()


def test_rebuild_without_changes_is_identical(gold_db):
    before = dump(gold_db)
    rebuild(gold_db)
    assert dump(gold_db) == before


def test_alias_add_prefer_deprecate_remove_survive_rebuild(gold_db):
    saic = entity_of(gold_db, "上汽集团")
    assert entity(gold_db, saic) == ("org", None, "上汽集团", "SAIC")
    assert curation.alias_add(gold_db, "SAIC", "상하이자동차", "ko", "preferred") == saic
    assert curation.alias_add(gold_db, saic, "上汽汽车") == saic                       # lang from the script
    assert curation.prefer(gold_db, "上汽集团", "上汽") == saic
    assert curation.deprecate(gold_db, saic, "上汽汽车") == saic
    assert curation.alias_remove(gold_db, saic, "上汽集團") == saic                    # generated traditional
    expected_aliases = [
        ("en", "SAIC", "preferred", "attested"),
        ("ko", "상하이자동차", "preferred", "curated"),
        ("pinyin", "shàng qì jí tuán", "preferred", "generated"),
        ("zh-Hans", "上汽", "preferred", "attested"),
        ("zh-Hans", "上汽汽车", "deprecated", "curated"),
        ("zh-Hans", "上汽集团", "admitted", "attested"),
    ]
    assert aliases(gold_db, saic) == expected_aliases
    assert entity(gold_db, saic) == ("org", "상하이자동차", "上汽", "SAIC")

    before = dump(gold_db)
    report = rebuild(gold_db)
    assert report.curation_problems == []
    assert aliases(gold_db, saic) == expected_aliases
    assert entity(gold_db, saic) == ("org", "상하이자동차", "上汽", "SAIC")
    assert dump(gold_db) == before
    assert [(h["seq"], h["op"]) for h in curation.history(gold_db)] == [
        (1, "alias_add"), (2, "alias_add"), (3, "prefer"), (4, "deprecate"), (5, "alias_remove")]


def test_merge_keeps_a_redirect_across_rebuilds(gold_db):
    a, b = entity_of(gold_db, "大兴机场临空经济区"), entity_of(gold_db, "大兴机场临空区")
    mentions_before = q(gold_db, "SELECT count(*) FROM mentions m JOIN aliases a ON a.id = m.zh_alias_id "
                                 "WHERE a.entity_id IN (?, ?)", a, b)
    assert curation.merge(gold_db, "大兴机场临空经济区", b) == a
    assert q(gold_db, "SELECT id FROM entities WHERE id = ?", b) == []
    assert q(gold_db, "SELECT new_id FROM redirects WHERE old_id = ?", b) == [(a,)]
    # b's aliases and mentions moved
    assert ("zh-Hans", "大兴机场临空区", "admitted", "attested") in aliases(gold_db, a)
    assert q(gold_db, "SELECT count(*) FROM mentions m JOIN aliases a ON a.id = m.zh_alias_id "
                      "WHERE a.entity_id = ?", a) == mentions_before

    report = rebuild(gold_db)
    assert report.curation_problems == []
    assert q(gold_db, "SELECT id FROM entities WHERE id = ?", b) == []
    assert entity_of(gold_db, "大兴机场临空区") == a
    assert curation.alias_add(gold_db, b, "다싱공항경제구") == a  # the old id still resolves
    with pytest.raises(KozhError, match="same entity"):
        curation.merge(gold_db, a, b)


def test_split_survives_rebuild(gold_db):
    saic = entity_of(gold_db, "上汽集团")
    new = curation.split(gold_db, saic, ["上汽"])
    assert new != saic
    assert aliases(gold_db, new) == [("zh-Hans", "上汽", "preferred", "attested")]
    assert entity(gold_db, new) == ("org", None, "上汽", None)
    assert ("zh-Hans", "上汽", "preferred", "attested") not in aliases(gold_db, saic)
    assert entity(gold_db, saic) == ("org", None, "上汽集团", "SAIC")
    # the mention written 上汽 follows its alias
    assert q(gold_db, "SELECT DISTINCT a.entity_id FROM mentions m JOIN aliases a ON a.id = m.zh_alias_id "
                      "WHERE m.zh = '上汽'") == [(new,)]
    snapshot = (aliases(gold_db, saic), aliases(gold_db, new))
    report = rebuild(gold_db)
    assert report.curation_problems == []
    assert (aliases(gold_db, saic), aliases(gold_db, new)) == snapshot
    assert entity_of(gold_db, "上汽") == new


def test_split_errors(gold_db):
    saic = entity_of(gold_db, "上汽集团")
    with pytest.raises(KozhError, match="has no alias '없는이름'"):
        curation.split(gold_db, saic, ["없는이름"])
    every = [t for _, t, _, _ in aliases(gold_db, saic)]
    with pytest.raises(KozhError, match="would leave .* empty"):
        curation.split(gold_db, saic, every)
    assert curation.history(gold_db) == []  # failed ops are not logged


def test_add_and_ambiguous_reference(gold_db):
    shanxi = curation.add(gold_db, "place", "山西", "산시", "Shanxi")
    assert entity(gold_db, shanxi) == ("place", "산시", "山西", "Shanxi")
    with pytest.raises(KozhError) as caught:
        curation.alias_add(gold_db, "산시", "산서")
    message = str(caught.value)
    assert "'산시' is ambiguous, it names 2 entities" in message and shanxi in message and "陕西" in message
    with pytest.raises(KozhError, match="already in the glossary"):
        curation.add(gold_db, "place", "陝西", "산시")
    with pytest.raises(KozhError, match="unknown kind"):
        curation.add(gold_db, "city", "太原")
    report = rebuild(gold_db)
    assert report.curation_problems == []
    assert entity(gold_db, shanxi) == ("place", "산시", "山西", "Shanxi")


def test_added_entity_absorbs_later_corpus_mentions(gold_db):
    qinghai = curation.add(gold_db, "place", "青海", "칭하이")
    add_document(gold_db, "new.txt", [{"ko": "칭하이", "zh": "青海", "kind": "place"},
                                      {"ko": "칭하이성", "zh": "青海省", "kind": "place"}])
    report = build(gold_db, [], curated=[])
    assert report.relinked and report.curation_problems == []
    assert entity(gold_db, qinghai) == ("place", "칭하이", "青海", None)
    assert q(gold_db, "SELECT DISTINCT a.entity_id FROM mentions m JOIN aliases a ON a.id = m.zh_alias_id "
                      "WHERE m.document_id = (SELECT id FROM documents WHERE path = 'new.txt')") == [(qinghai,)]
    before = dump(gold_db)
    rebuild(gold_db)
    assert dump(gold_db) == before


def test_op_that_no_longer_applies_is_reported_not_fatal(gold_db):
    entity_id = entity_of(gold_db, "巨量算数")
    curation.prefer(gold_db, entity_id, "巨量数算")
    curation.alias_add(gold_db, "SAIC", "상하이자동차")
    # the document holding 巨量算数 is rewritten without it
    file = q(gold_db, "SELECT d.path FROM documents d JOIN mentions m ON m.document_id = d.id "
                      "WHERE m.zh = '巨量数算'")[0][0]
    kept = [dict(zip(("ko", "zh", "en", "kind", "suffix_after"), r)) for r in q(
        gold_db, "SELECT ko, zh, en, kind, suffix_after FROM mentions m JOIN documents d ON d.id = m.document_id "
                 "WHERE d.path = ? AND zh NOT IN ('巨量算数', '巨量数算') ORDER BY seq", file)]
    add_document(gold_db, file, kept)
    report = build(gold_db, [], curated=[])
    assert report.curation_problems == [f"curation #1 prefer: entity {entity_id} no longer exists"]
    assert ("ko", "상하이자동차", "admitted", "curated") in aliases(gold_db, entity_of(gold_db, "上汽集团"))


def test_curation_survives_a_corpus_build(tmp_path):
    try:
        from glossary.pairs import extract_pairs  # noqa: F401
    except ImportError as e:
        pytest.skip(f"extractor not available yet ({e})")
    if not CORPUS.is_dir():
        pytest.skip(f"corpus not found at {CORPUS}")
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    db = tmp_path / "g.sqlite"
    build(db, [corpus], curated=[])
    a = curation.add(db, "org", "华为技术", "화웨이", "Huawei")
    ((ndrc,),) = q(db, "SELECT entity_id FROM aliases WHERE text = '国家发展和改革委员会' AND status = 'preferred'")
    curation.alias_add(db, ndrc, "NDRC", "en", "preferred")
    before = dump(db)
    first = sorted(corpus.iterdir())[0]
    first.write_text(first.read_text("utf-8") + "\n추가: 닝더스다이(宁德时代)\n", encoding="utf-8")
    report = build(db, [corpus], curated=[])
    assert report.updated == 1 and report.curation_problems == []
    assert entity(db, a) == ("org", "화웨이", "华为技术", "Huawei")
    assert ("en", "NDRC", "preferred", "curated") in aliases(db, ndrc)
    assert dump(db)["curation"] == before["curation"]


def test_merge_replay_finds_b_under_a_new_id(tmp_path):
    """b's id came from an older preferred zh, so the rebuilt b gets a fresh id (from its key); the replay
    finds it by b's Chinese forms and merges it too."""
    db = tmp_path / "g.sqlite"
    add_document(db, "1.txt", [{"ko": "갑을병", "zh": "甲乙丙", "kind": "org"}])
    add_document(db, "0.txt", [{"ko": "정무기", "zh": "丁戊己", "kind": "org"}])
    rebuild(db)
    b = entity_of(db, "甲乙丙")
    a = entity_of(db, "丁戊己")
    # more evidence for the longer name: the preferred zh changes, the id stays by alias overlap
    add_document(db, "2.txt", [{"ko": "갑을병", "zh": "甲乙丙公司", "kind": "org"}] * 2)
    rebuild(db)
    assert entity_of(db, "甲乙丙公司") == b and entity(db, b)[2] == "甲乙丙公司"
    curation.merge(db, a, b)
    rebuild(db)
    assert entity_of(db, "甲乙丙公司") == a
    assert q(db, "SELECT count(*) FROM entities") == [(1,)]
    redirects = dict(q(db, "SELECT old_id, new_id FROM redirects"))
    assert redirects == {b: a, entity_id_for("甲乙丙公司"): a}
    before = dump(db)
    rebuild(db)
    assert dump(db) == before
