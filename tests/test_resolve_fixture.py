"""The resolver and the checker specified on the fixture glossary of tests/data/glossary (no ../shared):
each way of writing a name finds its entity by the method that explains it, with its score."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

import cli
from glossary import curation
from resolver import Resolver, resolve
from resolver.check import check_files
from resolver.index import SqliteIndex

CASES = [
    # query, entity (its zh), method, score
    ("닝더스다이", "宁德时代", "exact", 1.0),
    ("寧德時代", "宁德时代", "exact", 1.0),            # traditional script, an alias the build made
    ("byd", "比亚迪", "exact", 1.0),                   # case folded
    ("샤오미 그룹", "小米集团", "exact", 1.0),          # spacing folded
    ("닝더스따이", "宁德时代", "transliteration", 0.95),  # another Hangul spelling of the same sound
    ("비아적", "比亚迪", "sino-korean", 0.92),           # 비 transliterated + 아적 Sino-Korean
    ("합비시", "合肥市", "sino-korean", 0.92),
    ("가정", "嘉定区", "sino-korean", 0.92),
    ("Biyadi", "比亚迪", "romanization", 0.93),
    ("Ningde Shidai", "宁德时代", "romanization", 0.93),
    ("Hefei City", "合肥市", "legal-form", 0.9),
    ("Jiading District", "嘉定区", "legal-form", 0.9),
    ("小米科技", "小米集团", "legal-form", 0.9),
    ("닝더수다이", "宁德时代", "fuzzy", 0.84),          # a slip of one vowel
]


@pytest.fixture(scope="module")
def resolver(fixture_db):
    return Resolver(fixture_db)


def test_the_fixture_glossary_reads_from_stored_keys(resolver):
    assert isinstance(resolver.index, SqliteIndex)


@pytest.mark.parametrize("query, zh, method, score", CASES)
def test_each_spelling_finds_its_entity(resolver, query, zh, method, score):
    best = resolver.resolve(query)[0]
    assert (best.zh, best.method, round(best.score, 2), best.confident) == (zh, method, score, True)


@pytest.mark.parametrize("query", ["텐센트", "Tencent", "뉴욕", "比亚迪汽车", "싱징바오"])
def test_names_the_glossary_lacks_get_no_confident_match(resolver, query):
    matches = resolver.resolve(query)
    assert not matches or not matches[0].confident


def test_module_level_resolve_returns_an_empty_list_for_nothing_near(fixture_db):
    assert resolve("뉴욕", db=fixture_db) == []


def test_resolve_json_through_the_cli(fixture_db):
    result = CliRunner().invoke(cli.main, ["resolve", "--db", str(fixture_db), "--json", "비아적"])
    assert result.exit_code == 0
    match = json.loads(result.output)["match"]
    assert (match["zh"], match["ko"], match["en"], match["method"], match["score"]) == \
        ("比亚迪", "비야디", "BYD", "sino-korean", 0.92)
    assert match["why"] == "비아적 = 비 (比, transliterated) + 아적 (亚迪, Sino-Korean) = 比亚迪"


TEXT = "상하이 지아딩(嘉定)에는 공장이 많다.\n자딩에 새 공장이 들어섰다.\n영덕시대는 배터리를 판다.\n"


def test_check_finds_the_two_spellings_and_sees_a_deprecation_at_once(glossary_copy, tmp_path):
    doc = tmp_path / "article.txt"
    doc.write_text(TEXT, encoding="utf-8")
    findings = check_files([doc], db=glossary_copy)
    assert [(f.line, f.col, f.rule, f.text, f.suggestion) for f in findings] == [(1, 5, "variant", "지아딩", "자딩")]

    curation.deprecate(str(glossary_copy), "宁德时代", "영덕시대")
    findings = check_files([doc], db=glossary_copy)
    assert [(f.line, f.rule, f.text, f.suggestion) for f in findings] == \
        [(1, "variant", "지아딩", "자딩"), (3, "deprecated", "영덕시대", "닝더스다이")]
