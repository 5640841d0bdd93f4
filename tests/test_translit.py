"""kozh translit: the standard Korean form of Chinese names, and the Chinese behind Korean transliterations.

Reference forms live in tests/translit_reference.tsv (each with its public source). The test cases of
hangulize's Chinese spec (bench/hangulize_chi_tests.tsv) are a second, unseen reference.
"""
from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main
from glossary import transliterate
from glossary.errors import KozhError
from glossary.translit import from_hangul, hangul_pinyin, translit

HERE = Path(__file__).parent
REFERENCE = HERE / "translit_reference.tsv"
HANGULIZE = HERE.parent / "bench" / "hangulize_chi_tests.tsv"


def _rows(path: Path) -> list[tuple[str, str, str]]:
    rows = []
    for line in path.read_text("utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            zh, ko, category, _source = line.split("\t")
            rows.append((zh, ko, category))
    return rows


def _score(path: Path) -> tuple[Counter, Counter, list]:
    right, total, misses = Counter(), Counter(), []
    for zh, ko, category in _rows(path):
        got = translit(zh)["ko"]
        total[category] += 1
        right[category] += got == ko
        if got != ko:
            misses.append((zh, ko, got))
    return right, total, misses


def test_accuracy_on_the_reference_list():
    right, total, misses = _score(REFERENCE)
    assert dict(total) == {"place": 94, "heteronym": 38, "person": 66, "affix": 27, "syllable": 14}
    assert sum(right.values()) / sum(total.values()) >= 0.99, misses
    assert right["heteronym"] / total["heteronym"] >= 0.97, misses
    assert right["affix"] / total["affix"] >= 0.96, misses


def test_accuracy_on_hangulize_spec_tests_never_tuned_on():
    right, total, misses = _score(HANGULIZE)
    assert total["hangulize"] == 143
    # both differences are heteronyms hangulize reads by the first reading; kozh has the attested form
    assert sorted(misses) == [("萬里長城", "완리장청", "완리창청"), ("重慶", "중칭", "충칭")]


def test_rendering_fields():
    r = transliterate("曾慶紅")
    assert (r.ko, r.sino, r.pinyin) == ("쩡칭훙", "증경홍", "zēng qìng hóng")
    assert r.to_dict() == {"query": "曾慶紅", "ko": "쩡칭훙", "sino": "증경홍", "pinyin": "zēng qìng hóng",
                           "alternatives": [], "why": "曾庆红 zēng qìng hóng (CC-CEDICT)"}


def test_surname_reading_and_its_alternative():
    r = transliterate("单霁翔")
    assert (r.ko, r.alternatives, r.why) == ("산지샹", ["단지샹"], "surname 单 shàn")
    # two characters are read as a name only when the caller says so
    assert transliterate("曾毅").ko == "청이"
    assert transliterate("曾毅", kind="person").ko == "쩡이"


def test_reading_is_the_one_transliterate_chooses():
    from glossary.translit import reading
    assert reading("曾慶紅") == ("zēng", "qìng", "hóng")
    assert reading("北京市") == ("běi", "jīng", "shì")
    assert reading("abc") == ()


def test_place_listed_with_its_generic():
    r = transliterate("太行")
    assert (r.ko, r.why) == ("타이항", "太行 tài háng (CC-CEDICT 太行山)")


def test_affixes_are_translated_and_the_bare_form_is_an_alternative():
    r = transliterate("北京市")
    assert (r.ko, r.sino, r.pinyin, r.alternatives) == ("베이징시", "북경시", "běi jīng shì", ["베이징"])
    assert transliterate("延边朝鲜族自治州").ko == "옌볜조선족자치주"
    assert transliterate("中关村").ko == "중관춘"        # a village name listed whole stays whole
    assert transliterate("景德镇").ko == "징더전"        # though 景德 is listed too
    assert transliterate("小岗村").ko == "샤오강촌"      # not listed: the affix is translated
    r = transliterate("上海市闵行区")
    assert (r.ko, r.alternatives) == ("상하이시 민항구", ["상하이시 민항"])
    assert transliterate("区").ko == "취"
    assert transliterate("李区", kind="person").ko == "리취"


def test_erhua_and_the_syllables_the_table_lacked():
    r = transliterate("哪儿")
    assert (r.ko, r.alternatives) == ("나얼", ["날"])
    assert translit("yo")["ko"] == "요"
    assert translit("ê")["ko"] == "에"


def test_pinyin_input():
    out = translit("Wang Chuanfu")
    assert (out["ko"], out["pinyin"], out["sino"]) == ("왕촨푸", "wang chuan fu", None)
    assert translit("chong2qing4")["zh"] == ["重庆", "崇庆"]
    with pytest.raises(KozhError, match="not pinyin"):
        translit("abc")


def test_hangul_to_pinyin_sequences_are_bounded_and_ranked():
    assert hangul_pinyin("충칭") == [["chong", "qing"], ["cong", "qing"], ["qiong", "qing"]]
    assert len(hangul_pinyin("왕" * 40)) <= 16


def test_hangul_to_chinese_from_the_dictionary():
    out = from_hangul("마화텅")
    assert out == {"query": "마화텅", "pinyin": ["ma hua teng"], "zh": ["马化腾"], "why": "马化腾 (CC-CEDICT)"}
    assert from_hangul("베이징시")["zh"][0] == "北京市"


def test_bad_input_is_a_clear_error():
    for bad in ("", "   ", "!!"):
        with pytest.raises(KozhError):
            translit(bad)
    with pytest.raises(KozhError, match="no Chinese characters"):
        transliterate("abc")


def _run(*args, env=None):
    return CliRunner().invoke(main, list(args), env=env)


def test_cli_json_contract():
    result = _run("translit", "--json", "王传福", "마화텅")
    assert result.exit_code == 0
    first, second = [json.loads(line) for line in result.output.splitlines()]
    assert first == {"query": "王传福", "ko": "왕촨푸", "sino": "왕전복", "pinyin": "wáng chuán fú",
                     "alternatives": [], "why": "character readings"}
    assert set(second) == {"query", "pinyin", "zh", "why"} and second["zh"] == ["马化腾"]


def test_cli_bad_name_exits_2_and_keeps_the_others():
    result = _run("translit", "朝阳区", "abc")
    assert result.exit_code == 2
    assert result.stdout == "朝阳区\t차오양구\t조양구\tcháo yáng qū\t차오양, 자오양구\n"


@pytest.fixture()
def db_with_wang(tmp_path):
    from glossary.shipped import default_db_path
    db = tmp_path / "g.sqlite"
    shutil.copy(default_db_path(), db)
    assert _run("add", "--db", str(db), "--kind", "person", "--ko", "왕촨푸", "王传福").exit_code == 0
    return db


def test_hangul_lists_the_glossary_entry(db_with_wang):
    result = _run("translit", "--json", "--db", str(db_with_wang), "왕촨푸")
    out = json.loads(result.output)
    assert out["zh"][0] == "王传福" and out["pinyin"][0] == "wang chuan fu"


def test_lookup_card_for_a_name_in_no_entity():
    result = _run("lookup", "王传福")
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == "王传福  not in the glossary — standard form 왕촨푸 · Sino-Korean 왕전복 · wáng chuán fú"
    card = json.loads(_run("lookup", "--json", "王传福").output)
    assert card == {"query": "王传福", "in_glossary": False, "rendering": translit("王传福")}


def test_http_translit_same_json():
    pytest.importorskip("fastapi")
    from fastapi.testclient import TestClient

    from resolver.serve import create_app

    client = TestClient(create_app())
    assert client.get("/translit", params={"q": "曾慶紅"}).json() == translit("曾慶紅")
    assert client.get("/translit", params={"q": "마화텅"}).json()["zh"] == ["马化腾"]
    assert client.get("/translit", params={"q": "!!"}).status_code == 400
    missing = client.get("/card", params={"q": "王传福"})
    assert missing.status_code == 404 and missing.json()["rendering"]["ko"] == "왕촨푸"
