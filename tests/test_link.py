"""Linking pairs into entities: the join rules, preferred forms, stable ids, and agreement with the gold."""
import itertools
import json
import random
from pathlib import Path

import pytest

from glossary.link import (
    CuratedEntry, Previous, assign_ids, entity_id_for, fold, link, majority_kind, naming_suffix,
    place_stem, related, swapped,
)
from glossary.pairs import Pair

GOLD = Path(__file__).resolve().parents[2] / "shared" / "eval" / "pairs-dev.jsonl"


def P(ko, zh, en=None, kind="org", suffix_after=None):
    return Pair(ko=ko, zh=zh, en=en, kind=kind, suffix_after=suffix_after)


def groups(pairs, entries=()):
    """Each entity as the sorted set of its mentions' (ko, zh), for readable assertions."""
    out = []
    for e in link(pairs, entries):
        out.append(sorted({(pairs[i].ko, pairs[i].zh) for i in e.mentions}))
    return sorted(out)


def together(pairs, a, b, entries=()):
    ents = link(pairs, entries)
    owner = {i: n for n, e in enumerate(ents) for i in e.mentions}
    return owner[a] == owner[b]


def gold_rows():
    if not GOLD.exists():
        pytest.skip(f"gold pairs not found at {GOLD}")
    rows = [json.loads(line) for line in GOLD.read_text("utf-8").splitlines() if line.strip()]
    return [r for r in rows if r.get("label") == "pair"]


def pairwise_scores(gold_keys, predicted):
    tp = fp = fn = 0
    for i, j in itertools.combinations(range(len(gold_keys)), 2):
        same_gold, same_pred = gold_keys[i] == gold_keys[j], predicted[i] == predicted[j]
        tp += same_gold and same_pred
        fp += same_pred and not same_gold
        fn += same_gold and not same_pred
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return precision, recall, 2 * precision * recall / (precision + recall)


def test_gold_pairwise_agreement():
    rows = gold_rows()
    pairs = [Pair(ko=r["ko"], zh=r["zh"], en=r.get("en"), kind=r["kind"], suffix_after=r.get("suffix_after"))
             for r in rows]
    entities = link(pairs)
    owner = {i: n for n, e in enumerate(entities) for i in e.mentions}
    assert sorted(owner) == list(range(len(pairs)))  # every mention lands in exactly one entity
    p, r, f1 = pairwise_scores([row["canonical"] for row in rows], [owner[i] for i in range(len(pairs))])
    print(f"\nlinking vs gold canonical: {len(rows)} mentions, {len(entities)} entities, "
          f"pairwise P={p:.3f} R={r:.3f} F1={f1:.3f}")
    assert p >= 0.99
    assert f1 >= 0.95


def test_same_folded_zh_is_one_entity():
    pairs = [P("텐센트뉴스", "腾讯新闻"), P("텐센트뉴스", "騰訊新聞"), P("칭다오", "靑島", kind="place"),
             P("칭다오", "青岛", kind="place")]
    assert groups(pairs) == [[("칭다오", "靑島"), ("칭다오", "青岛")],
                             [("텐센트뉴스", "腾讯新闻"), ("텐센트뉴스", "騰訊新聞")]]


@pytest.mark.parametrize("short, long_, alias", [
    ("上汽", "上汽集团", "SAIC"),
    ("中兴", "中兴通讯", "ZTE"),
    ("上燃动力", "上海燃料电池汽车动力系统有限公司", "SFCV"),
    ("重塑科技", "重塑能源集团", "REFIRE"),
])
def test_shared_latin_alias_and_related_chinese_join(short, long_, alias):
    pairs = [P(alias, short, alias), P(alias, long_, alias)]
    assert together(pairs, 0, 1)


def test_shared_korean_alias_and_related_chinese_join():
    pairs = [P("중관촌과학시티", "中关村科技城", kind="place", suffix_after="관리위원회"),
             P("중관촌과학시티", "中关村科学城", kind="place", suffix_after="관리위원회")]
    assert together(pairs, 0, 1)


def test_shared_korean_form_with_unrelated_chinese_stays_apart():
    pairs = [P("산시", "陝西", kind="place"), P("산시", "山西", kind="place")]
    assert groups(pairs) == [[("산시", "山西")], [("산시", "陝西")]]


def test_one_letter_latin_alias_is_no_witness():
    assert not together([P("A", "甲乙公司", "A"), P("A", "甲乙集团", "A")], 0, 1)


def test_naming_suffix_makes_another_entity():
    pairs = [P("장쑤", "江苏", kind="place"), P("장쑤", "江苏", kind="org", suffix_after="대학"),
             P("장쑤", "江蘇", kind="place", suffix_after="성"),
             P("SF Express", "顺丰", "SF Express"), P("SF Express", "顺丰", "SF Express", suffix_after="항공")]
    entities = link(pairs)
    by_mentions = {tuple(e.mentions): e for e in entities}
    assert sorted(by_mentions) == [(0, 2), (1,), (3,), (4,)]
    university = by_mentions[(1,)]
    assert university.key == "江苏대학" and university.ko == "장쑤대학" and university.kind == "org"
    # the bracket is only part of the university's name: kept, but not as its preferred Chinese
    assert [(a.text, a.status) for a in university.aliases if a.lang == "zh-Hans"] == [("江苏", "admitted")]
    airline = by_mentions[(4,)]
    assert airline.en is None and [a.text for a in airline.aliases if a.lang == "ko"] == ["SF Express항공"]


def test_body_suffix_keeps_the_place():
    assert naming_suffix("인민정부") is None and naming_suffix(" 성 ") is None
    assert naming_suffix("대학") == "대학"
    pairs = [P("지아딩구", "嘉定区", kind="place", suffix_after="인민정부"), P("지아딩구", "嘉定区", kind="place")]
    assert together(pairs, 0, 1)


def test_places_equal_up_to_suffix_or_parent():
    pairs = [P("지아딩구", "嘉定区", kind="place"), P("상하이 지아딩", "上海嘉定", kind="place"),
             P("상하이 지아딩 수소에너지항", "上海嘉定氢能港", kind="place"),
             P("지아딩수소에너지항", "嘉定氢能港", kind="place"),
             P("난징", "南京市", kind="place"), P("난징장닝", "南京江宁", kind="place"), P("장닝구", "江宁区", kind="place")]
    assert groups(pairs) == [
        [("난징", "南京市")],
        [("난징장닝", "南京江宁"), ("장닝구", "江宁区")],
        [("상하이 지아딩", "上海嘉定"), ("지아딩구", "嘉定区")],
        [("상하이 지아딩 수소에너지항", "上海嘉定氢能港"), ("지아딩수소에너지항", "嘉定氢能港")],
    ]


def test_parent_rule_needs_places_and_a_big_parent():
    # org names are not stripped; a district (怀柔区) is no parent, so two 科学城 stay apart
    assert not together([P("상하이 지아딩", "上海嘉定"), P("지아딩구", "嘉定区")], 0, 1)
    pairs = [P("화이러우구", "怀柔区", kind="place"), P("화이러우과학성", "怀柔科学城", kind="place"),
             P("과학성", "科学城", kind="place")]
    assert not together(pairs, 1, 2)


def test_place_stem():
    assert place_stem("上海市嘉定区") == "嘉定"
    assert place_stem("嘉定区") == "嘉定"
    assert place_stem("广西壮族自治区") == "广西"
    assert place_stem("杭州") == "杭州"        # a stem keeps two characters
    assert place_stem("上海") == "上海"
    assert place_stem("南京江宁", ["南京"]) == "江宁"


def test_related():
    assert related("上燃动力", "上海燃料电池汽车动力系统有限公司")
    assert related("重塑科技", "重塑能源集团")
    assert not related("陕西", "山西")
    assert not related("新", "新区")


def test_transposition_typo_joins_only_with_the_same_swap_in_korean():
    assert swapped("巨量算数", "巨量数算") and swapped("쥐량수안슈", "쥐량슈수안")
    assert not swapped("中华", "华中") and not swapped("北京南站", "南京北站")
    typo = [P("쥐량수안슈", "巨量算数"), P("쥐량슈수안", "巨量数算")]
    assert together(typo, 0, 1)
    assert not together([P("쥐량수안슈", "巨量算数"), P("다른이름", "巨量数算")], 0, 1)


def test_suffix_variants_under_one_bracket_join():
    pairs = [P("즈우", "摯物", suffix_after="AIoT 산업 연구소"), P("즈우", "摯物", suffix_after="AIoT 산업연구원"),
             P("장쑤", "江苏", suffix_after="대학"), P("장쑤", "江苏", suffix_after="대학병원")]
    assert together(pairs, 0, 1)
    assert not together(pairs, 2, 3)


def test_preferred_forms_and_generated_traditional():
    pairs = [P("산시", "陝西", kind="place"), P("산시성", "陕西", kind="place"), P("산시", "陕西", kind="place"),
             P("섬서", "陝西", kind="place")]
    (e,) = link(pairs)
    table = {(a.lang, a.text): (a.status, a.origin, a.count) for a in e.aliases}
    assert table == {
        ("ko", "산시"): ("preferred", "attested", 2),
        ("ko", "산시성"): ("admitted", "attested", 1),
        ("ko", "섬서"): ("admitted", "attested", 1),
        ("zh-Hans", "陕西"): ("preferred", "attested", 2),
        ("zh-Hant", "陝西"): ("preferred", "attested", 2),
        ("pinyin", "shǎn xī"): ("preferred", "generated", 0),
    }
    assert (e.ko, e.zh, e.en, e.kind, e.key) == ("산시", "陕西", None, "place", "陕西")


def test_preferred_ko_tie_goes_to_longest_then_lexicographic():
    pairs = [P("상하이 지아딩", "上海嘉定", kind="place"), P("상하이지아딩", "上海嘉定", kind="place")]
    assert link(pairs)[0].ko == "상하이 지아딩"
    pairs = [P("나다", "甲乙"), P("가다", "甲乙")]
    assert link(pairs)[0].ko == "가다"


def test_hanja_variant_keeps_its_own_text_and_gets_a_generated_traditional():
    (e,) = link([P("칭다오", "靑島", kind="place")])
    table = {(a.lang, a.text): (a.status, a.origin) for a in e.aliases}
    assert table == {("ko", "칭다오"): ("preferred", "attested"),
                     ("zh-Hans", "青岛"): ("preferred", "generated"),
                     ("zh-Hant", "青島"): ("preferred", "generated"),
                     ("zh-Hant", "靑島"): ("admitted", "attested"),
                     ("pinyin", "qīng dǎo"): ("preferred", "generated")}


def test_latin_ko_side_is_an_english_alias():
    (e,) = link([P("SAIC", "上汽集团", "SAIC"), P("SAIC", "上汽", "SAIC")])
    assert e.ko is None and e.en == "SAIC" and e.zh == "上汽集团"
    assert [a.count for a in e.aliases if a.text == "SAIC"] == [2]  # ko and en of one mention count once


def test_majority_kind():
    assert majority_kind(["org", "org", "place"]) == "org"
    assert majority_kind(["other", "other", "person"]) == "person"
    assert majority_kind(["org", "place"]) == "place"
    assert majority_kind([]) == "other"


def test_curated_entry_joins_corpus_by_zh_other_and_wins_preferred():
    entry = CuratedEntry(kind="place", zh="成都市", ko="청두시", zh_other=("成都",), ko_other=("성도",),
                         en=("Chengdu",))
    pairs = [P("청두", "成都", kind="other"), P("청두", "成都", kind="other")]
    (e,) = link(pairs, [entry])
    assert e.mentions == [0, 1] and e.curated == [0]
    assert (e.kind, e.ko, e.zh, e.en, e.key) == ("place", "청두시", "成都市", "Chengdu", "成都市")
    table = {(a.lang, a.text): (a.status, a.origin, a.count) for a in e.aliases}
    assert table == {
        ("ko", "성도"): ("admitted", "curated", 0),
        ("ko", "청두"): ("admitted", "attested", 2),
        ("ko", "청두시"): ("preferred", "curated", 0),
        ("zh-Hans", "成都"): ("admitted", "curated", 2),
        ("zh-Hans", "成都市"): ("preferred", "curated", 0),
        ("en", "Chengdu"): ("admitted", "curated", 0),
        ("pinyin", "chéng dū shì"): ("preferred", "generated", 0),
    }


def test_two_curated_entries_are_never_joined_by_rules():
    entries = [CuratedEntry(kind="org", zh="中兴通讯", en=("ZTE",)), CuratedEntry(kind="org", zh="中兴集团", en=("ZTE",))]
    assert len(link([], entries)) == 2
    # and a corpus pair joining both by rule (b) goes to one of them only
    ents = link([P("ZTE", "中兴", "ZTE")], entries)
    assert len(ents) == 2 and sum(len(e.mentions) for e in ents) == 1


def test_input_order_does_not_change_the_result():
    rows = gold_rows()
    pairs = [Pair(ko=r["ko"], zh=r["zh"], en=r.get("en"), kind=r["kind"], suffix_after=r.get("suffix_after"))
             for r in rows]
    shuffled = pairs[:]
    random.Random(7).shuffle(shuffled)

    def shape(ps):
        return sorted((e.key, e.kind, e.ko, e.zh, e.en, tuple((a.lang, a.text, a.status, a.count) for a in e.aliases))
                      for e in link(ps))
    assert shape(pairs) == shape(shuffled)


def test_assign_ids_keeps_previous_ids_and_redirects_absorbed_ones():
    first = link([P("SAIC", "上汽集团", "SAIC"), P("상치", "上汽")])
    assert [e.key for e in first] == ["上汽", "上汽集团"]
    ids, redirects = assign_ids(first, [])
    assert ids == [entity_id_for("上汽"), entity_id_for("上汽集团")] and redirects == {}
    assert ids[0].startswith("e") and len(ids[0]) == 11

    previous = [Previous(i, fold(e.zh), e.signature()) for i, e in zip(ids, first)]
    # the same input keeps its ids; new evidence (上汽 also written SAIC) merges the two entities
    assert assign_ids(first, previous) == (ids, {})
    second = link([P("SAIC", "上汽集团", "SAIC"), P("SAIC", "上汽", "SAIC"), P("상치", "上汽")])
    assert len(second) == 1
    new_ids, redirects = assign_ids(second, previous)
    assert new_ids == [ids[0]] or new_ids == [ids[1]]
    (lost,) = set(ids) - set(new_ids)
    assert redirects == {lost: new_ids[0]}


def test_assign_ids_gives_the_id_to_the_entity_with_the_old_preferred_zh():
    prev = [Previous("eOLD", "上汽集团", frozenset({("zh", "上汽集团"), ("en", "a"), ("en", "b"), ("en", "c")}))]
    ents = link([P("A", "上汽集团"), P("B", "上汽控股", "B"), P("C", "上汽控股", "C")])
    ids, _ = assign_ids(ents, prev)
    assert dict(zip([e.key for e in ents], ids))["上汽集团"] == "eOLD"


def test_fresh_ids_avoid_taken_ones():
    (e,) = link([P("칭다오", "青岛", kind="place")])
    ids, _ = assign_ids([e], [], taken={entity_id_for("青岛")})
    assert ids == [entity_id_for("青岛", 1)]
