"""Resolution against a glossary built from the gold pairs (every pair's ko, zh, en are aliases of the
entity named by its `canonical`), the dev query set, the threshold, the database layer and bad input."""
import collections
import json
import sqlite3
import threading
from pathlib import Path

import pytest

from glossary.errors import KozhError
from glossary.link import lang_of
from resolver import Match, Resolver, THRESHOLD, refresh, resolve, to_json
from resolver.index import SqliteIndex

EVAL = Path(__file__).resolve().parents[2] / "shared" / "eval"
if not EVAL.is_dir():  # a fresh clone with shared/ beside it
    EVAL = Path(__file__).resolve().parents[1].parent / "shared" / "eval"
PAIRS, QUERIES = EVAL / "pairs-dev.jsonl", EVAL / "resolve-dev.jsonl"
needs_eval = pytest.mark.skipif(not PAIRS.exists(), reason="shared/eval not present")


def gold_aliases():
    """(rows for Index.from_aliases, entity kinds) from the gold pairs."""
    counts, kinds = collections.Counter(), {}
    for line in PAIRS.read_text("utf-8").splitlines():
        r = json.loads(line)
        if r.get("label") != "pair":
            continue
        kinds.setdefault(r["canonical"], r["kind"])
        for text in (r["ko"], r["zh"], r["en"]):
            if text:
                counts[(r["canonical"], text)] += 1
    rows = [(e, t, lang_of(t), "admitted", c) for (e, t), c in counts.items()]
    return rows, kinds


@pytest.fixture(scope="module")
def gold():
    rows, kinds = gold_aliases()
    return Resolver.from_aliases(rows, kinds=kinds)


def the_match(resolver, name, **kw):
    ms = resolver.resolve(name, **kw)
    return ms[0] if ms and ms[0].confident else None


def dev_accuracy(resolver):
    """What shared/eval/score_resolve.py computes, without the CLI."""
    queries = [json.loads(line) for line in QUERIES.read_text("utf-8").splitlines() if line.strip()]
    ok, wrong = 0, []
    for q in queries:
        want = None
        if q["expect"]:
            anchor = the_match(resolver, q["expect"])
            want = anchor.entity_id if anchor else "no anchor"
        got = the_match(resolver, q["query"])
        if (got.entity_id if got else None) == want:
            ok += 1
        else:
            wrong.append((q["query"], q["expect"], got))
    return ok / len(queries), wrong


@needs_eval
def test_dev_accuracy_on_the_gold_glossary(gold):
    accuracy, wrong = dev_accuracy(gold)
    print(f"\nresolve-dev accuracy on the gold-pairs glossary: {accuracy:.3f}; wrong: {wrong}")
    assert accuracy >= 0.9


# ---------------------------------------------------------------- one method each, real names


@needs_eval
@pytest.mark.parametrize("query,entity,method", [
    ("宁德时代", "宁德时代", "exact"),
    ("CATL", "宁德时代", "exact"),
    ("catl", "宁德时代", "exact"),
    ("寧德時代", "宁德时代", "script-variant"),
    ("닝더스다이", "宁德时代", "transliteration"),
    ("영덕시대", "宁德时代", "sino-korean"),
    ("Ningde Shidai", "宁德时代", "romanization"),
    ("ningdeshidai", "宁德时代", "romanization"),
    ("비야디", "比亚迪", "transliteration"),
    ("자딩구", "上海市嘉定区", "transliteration"),     # the ko alias 지아딩구, by sound
    ("롄샹그룹", "联想集团", "transliteration"),
    ("친촨자동차", "秦川汽车", "transliteration"),     # hybrid: 秦川 read, 汽车 translated
    ("하북", "河北省", "sino-korean"),
    ("허베이성", "河北省", "legal-form"),
    ("Hebei Province", "河北省", "legal-form"),
    ("上海捷氢科技股份有限公司", "捷氢科技", "legal-form"),
    ("국가광파전시총굮", "国家广播电视总局", "fuzzy"),
])
def test_each_method_on_a_real_name(gold, query, entity, method):
    m = the_match(gold, query)
    assert m is not None, gold.resolve(query)
    assert m.entity_id == "zh:" + entity
    assert m.method == method
    assert 0 < m.score <= 1 and m.why


@needs_eval
def test_explanations_say_how(gold):
    assert the_match(gold, "비야디").why == "비야디 = standard Korean form of bǐ yà dí (比亚迪)"
    assert the_match(gold, "퉁지대학").why == "퉁지대학 = 퉁지 (同济, transliterated) + 대학 (大学, translated) = 同济大学"
    assert "Sino-Korean" in the_match(gold, "영덕시대").why
    assert "股份有限公司" in the_match(gold, "和元生物技术(上海)股份有限公司").why


# ---------------------------------------------------------------- the threshold


@needs_eval
@pytest.mark.parametrize("unknown", [
    "샤오윈커지", "晓云科技集团", "Lanshan Micro", "펑위안생물", "陈志远", "浙江霁月新材料股份有限公司",
    "映云生物", "허사이바이오", "시진펑", "上海汽车", "北京大学", "Hesai Group Holdings Micro",
    "우시바이오", "우시그룹", "베이징", "닝더",
])
def test_unknown_names_get_no_confident_match(gold, unknown):
    assert the_match(gold, unknown) is None, gold.resolve(unknown)


@needs_eval
def test_a_name_two_entities_share_equally_is_not_forced(gold):
    ms = gold.resolve("SF Express")
    assert not ms[0].confident and len({m.entity_id for m in ms}) == 2


@needs_eval
def test_candidates_are_listed_under_the_threshold(gold):
    ms = gold.resolve("차이나유니컴")
    assert ms[0].confident and ms[0].score >= THRESHOLD
    for m in ms[1:]:
        assert not m.confident


@needs_eval
def test_kind_filter(gold):
    assert the_match(gold, "허베이", kind="place").zh == "河北"
    assert the_match(gold, "허베이", kind="org") is None


# ---------------------------------------------------------------- JSON, bad input


@needs_eval
def test_to_json_shape(gold):
    out = to_json("닝더스다이", gold.resolve("닝더스다이"))
    assert list(out) == ["query", "match", "candidates"]
    assert list(out["match"]) == ["entity_id", "zh", "ko", "en", "alias", "method", "score", "why"]
    none = to_json("陈志远", gold.resolve("陈志远"))
    assert none["match"] is None and isinstance(none["candidates"], list)
    json.dumps(out, ensure_ascii=False)


@needs_eval
@pytest.mark.parametrize("bad", ["", "   ", "a\x07b", "가" * 1001, "\n"])
def test_bad_input_raises_kozh_error(gold, bad):
    with pytest.raises(KozhError):
        gold.resolve(bad)
    with pytest.raises(KozhError):
        resolve(bad, db="/nonexistent/aliases.sqlite")


def test_missing_database_is_a_kozh_error(tmp_path):
    with pytest.raises(KozhError, match="no database"):
        resolve("CATL", db=tmp_path / "nope.sqlite")
    (tmp_path / "junk.sqlite").write_bytes(b"not a database at all")
    with pytest.raises(KozhError, match="not a SQLite"):
        Resolver(tmp_path / "junk.sqlite")


def test_default_database_from_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("KOZH_DB", str(tmp_path / "from-env.sqlite"))
    with pytest.raises(KozhError, match="from-env.sqlite"):
        resolve("CATL")


# ---------------------------------------------------------------- the database layer


def make_db(path, rows, kinds):
    """A kozh glossary holding exactly these aliases (keys are made as the transaction commits)."""
    from glossary.store import open_db, transaction

    db = open_db(path, write=True, create=True)
    try:
        with transaction(db) as conn:
            for e, k in kinds.items():
                conn.execute("INSERT INTO entities VALUES (?, ?, NULL, ?, NULL)", (e, k, e.split(":", 1)[-1]))
            conn.executemany("INSERT INTO aliases (entity_id, text, lang, status, origin, count) "
                             "VALUES (?, ?, ?, ?, ?, ?)",
                             [(e, t, lang, status, "attested", c) for e, t, lang, status, c in rows])
            conn.execute("INSERT INTO redirects VALUES ('zh:old', 'zh:宁德时代')")
    finally:
        db.close()


@pytest.fixture(scope="module")
def gold_db(tmp_path_factory):
    if not PAIRS.exists():
        pytest.skip("shared/eval not present")
    rows, kinds = gold_aliases()
    path = tmp_path_factory.mktemp("db") / "aliases.sqlite"
    make_db(path, rows, kinds)
    refresh(path)
    return path


@needs_eval
def test_stored_keys_answer_like_the_memory_index(gold, gold_db):
    stored = Resolver(gold_db)
    assert isinstance(stored.index, SqliteIndex)
    accuracy, wrong = dev_accuracy(stored)
    assert accuracy >= 0.9, wrong
    for q in ("닝더스다이", "친추안자동차", "Xinjingbao", "和元生物技术(上海)股份有限公司", "陈志远", "딩당쾌약"):
        a, b = gold.resolve(q), stored.resolve(q)
        assert [(m.entity_id, m.method, m.score, m.confident) for m in a] == \
               [(m.entity_id, m.method, m.score, m.confident) for m in b]


@needs_eval
def test_refresh_makes_the_alias_keys_table(gold_db):
    conn = sqlite3.connect(gold_db)
    cols = [r[1] for r in conn.execute("PRAGMA table_info(alias_keys)")]
    assert cols == ["alias_id", "entity_id", "kind", "key"]
    indexed = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'alias_keys'")]
    assert "alias_keys_kind_key" in indexed
    assert conn.execute("SELECT count(*) FROM alias_keys WHERE kind = 'tr'").fetchone()[0] > 100


@needs_eval
def test_stale_keys_fall_back_to_building_them(gold_db, tmp_path):
    rows, kinds = gold_aliases()
    path = tmp_path / "stale.sqlite"
    make_db(path, rows, kinds)
    refresh(path)
    conn = sqlite3.connect(path)
    conn.execute("INSERT INTO entities VALUES ('zh:比亚迪汽车', 'org', NULL, '比亚迪汽车', NULL)")
    conn.execute("INSERT INTO aliases (entity_id, text, lang, status, origin, count) "
                 "VALUES ('zh:比亚迪汽车', '宇通客车', 'zh-Hans', 'admitted', 'attested', 1)")
    conn.commit()
    conn.close()
    assert the_match(Resolver(path), "위퉁커처").entity_id == "zh:比亚迪汽车"


@needs_eval
def test_entity_follows_redirects(gold_db):
    r = Resolver(gold_db)
    e = r.entity("zh:old")
    assert e["id"] == "zh:宁德时代" and e["redirected_from"] == "zh:old"
    assert {"CATL", "宁德时代"} <= {a["text"] for a in e["aliases"]}
    assert r.entity("zh:nothing") is None


@needs_eval
def test_reads_are_thread_safe(gold_db):
    r = Resolver(gold_db)
    names = ["닝더스다이", "CATL", "Hebei", "퉁지대학", "陈志远", "차이나유니컴"] * 10
    expected = [[(m.entity_id, m.score) for m in ms] for ms in r.resolve_many(names)]
    results, errors = {}, []

    def work(i):
        try:
            results[i] = [[(m.entity_id, m.score) for m in ms] for ms in r.resolve_many(names)]
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and all(v == expected for v in results.values())


@needs_eval
def test_module_level_resolve_uses_the_database(gold_db):
    ms = resolve("寧德時代", db=gold_db)
    assert isinstance(ms[0], Match) and ms[0].confident and ms[0].entity_id == "zh:宁德时代"


def test_a_slip_in_a_generic_tail_still_matches_the_whole_name(gold_db):
    from resolver import Resolver

    (match, *_) = Resolver(gold_db).resolve("베이징항공항티엔대핰")
    assert match.confident and match.zh == "北京航空航天大学" and match.method == "fuzzy"
