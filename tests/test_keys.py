"""Keys of a name, one kind at a time, on real names: 宁德时代 / 寧德時代 / 닝더스다이 / Ningde Shidai / 영덕시대."""
import subprocess
import sys

import pytest

from glossary.errors import KozhError
from glossary.phonetics import phonetic_key
from resolver import keys as K


@pytest.fixture(scope="module")
def ctx():
    return K.KeyContext.build(K.Parts.seed())


def keys_of(text, ctx, lang=None, kind=None):
    from glossary.link import lang_of

    return set(K.alias_keys(text, lang or lang_of(text), ctx, kind=kind))


# ---------------------------------------------------------------- normalized text


@pytest.mark.parametrize("a,b", [("Ai Kucun", "Aikucun"), ("MedLinker", "Medlinker"), ("ＣＡＴＬ", "CATL"),
                                 ("투조이 공유 그룹", "투조이공유그룹"), ("R&B", "r.b"), ("GOTION Hi-Tech", "gotion hitech")])
def test_norm_folds_case_width_spacing_and_punctuation(a, b):
    assert K.norm(a) == K.norm(b)


@pytest.mark.parametrize("variant,simplified", [("寧德時代", "宁德时代"), ("騰訊新聞", "腾讯新闻"), ("靑島", "青岛"),
                                                ("叮噹快藥", "叮当快药")])
def test_zh_key_folds_traditional_and_korean_hanja_variants(variant, simplified, ctx):
    assert K.fold_han(variant) == simplified
    assert ("zh", simplified) in keys_of(variant, ctx)


# ---------------------------------------------------------------- sound keys of one name


def test_every_key_kind_of_ningde_shidai(ctx):
    for written in ("宁德时代", "寧德時代"):
        keys = keys_of(written, ctx)
        assert ("tr", phonetic_key("닝더스다이")) in keys            # 외래어 표기법
        assert ("sino", phonetic_key("영덕시대")) in keys            # 한자음, initial-sound rule on 寧
        assert ("py", "ningdeshidai") in keys                        # romanization
    assert ("ph", phonetic_key("닝더스다이")) in keys_of("닝더스다이", ctx)
    for spelled in ("Ningde Shidai", "ningdeshidai", "Níngdé Shídài"):
        assert K.latin_fold(K.norm(spelled)) == "ningdeshidai"


@pytest.mark.parametrize("informal,zh", [("지아딩", "嘉定"), ("티엔진", "天津"), ("씽", "星"), ("루어보", "萝卜"),
                                         ("따싱", "大兴"), ("리엔상", "联想")])
def test_informal_spellings_meet_the_standard_transliteration(informal, zh, ctx):
    assert ("tr", phonetic_key(informal)) in keys_of(zh, ctx)


def test_heteronyms_are_expanded_but_capped(ctx):
    assert ("py", "chongqing") in keys_of("重庆", ctx)
    many = "行长重传"  # every character has several readings
    assert 1 < sum(1 for k, _ in keys_of(many, ctx) if k == "py") <= K.MAX_COMBOS


@pytest.mark.parametrize("zh,sino", [("北京", "북경"), ("河北", "하북"), ("福建", "복건"), ("联想集团", "연상집단"),
                                     ("李鹏", "이붕")])
def test_sino_korean_key(zh, sino, ctx):
    assert ("sino", phonetic_key(sino)) in keys_of(zh, ctx)


# ---------------------------------------------------------------- hybrids and translated parts


@pytest.mark.parametrize("zh,ko", [("联想集团", "롄샹그룹"), ("小米集团", "샤오미그룹"), ("上海汽车", "상하이자동차"),
                                   ("秦川汽车", "친추안자동차"), ("同济大学", "퉁지대학")])
def test_hybrid_key_transliterated_head_translated_tail(zh, ko, ctx):
    assert ("hyb", phonetic_key(ko)) in keys_of(zh, ctx)


def test_translated_parts_are_learned_from_attested_pairs():
    pairs = [("e1", "징둥쇼핑몰", "京东商城"), ("e2", "톈마오쇼핑몰", "天猫商城"), ("e3", "쑤닝마트", "苏宁易购")]
    parts = K.learn_parts(pairs)
    assert "쇼핑몰" in parts.hangul["商城"] and parts.learned[("商城", "쇼핑몰")] == 2
    assert "易购" not in parts.hangul  # one entity is not enough
    # a Korean form leaving the suffix out teaches nothing (허베이 is 河北, not 河北 + 省 read as 이)
    assert "省" not in K.learn_parts([("e1", "허베이", "河北省"), ("e2", "후베이", "湖北省")], K.Parts()).hangul
    # the head must be read; a tail that is itself read (퉁지대 + 학 = 同济大 + 学) teaches nothing
    assert not K.learn_parts([("e1", "퉁지대학", "同济大学"), ("e2", "푸단대학", "复旦大学")], K.Parts()).learned


def test_alignment_reads_each_character_by_either_reading(ctx):
    al = K.align("딩당쾌약", "叮当快药", K.lattice("叮当快药"))
    assert al.cost == 0 and al.tags == "ttss"
    al = K.align("친추안자동차", "秦川汽车", K.lattice("秦川汽车"), ctx.parts.units("秦川汽车"))
    assert al.cost == 0 and al.tags == "ttp"
    assert K.align("국가광파전시총굮", "国家广播电视总局", K.lattice("国家广播电视总局")).cost == 1


# ---------------------------------------------------------------- romanization


def test_conventional_romanizations_are_data(ctx):
    assert ("conv", "tsinghua") in keys_of("清华", ctx)
    assert ("conv", "tsinghuauniversity") in keys_of("清华大学", ctx)
    assert ("conv", "peking") in keys_of("北京", ctx)


def test_pinyin_key_writes_u_umlaut_as_u(ctx):
    assert ("py", "lushi") in keys_of("律师", ctx)


# ---------------------------------------------------------------- affixes


def reduced(text, script, **kw):
    return [r.key for r in K.reductions(text, script, **kw)]


def test_legal_full_name_reduces_to_its_short_name(ctx):
    q = ctx.reductions("和元生物技术(上海)股份有限公司", "han", query=True)
    assert [r.key for r in q] == ["和元生物技术股份有限公司", "和元生物技术", "和元生物"]
    assert "微导纳米科技" in [r.key for r in ctx.reductions("江苏微导纳米科技股份有限公司", "han", query=False)]
    assert "xiaomi" in reduced("Xiaomi Group Co., Ltd.", "latin", query=True)
    assert "닝더스다이" in reduced("닝더스다이 주식회사", "hangul", query=True)


def test_industry_and_group_words_come_off_queries_only(ctx):
    assert [r.key for r in ctx.reductions("晓云科技集团", "han", query=True)] == ["晓云科技", "晓云"]
    assert ctx.reductions("晓云科技集团", "han", query=False) == []
    # a leading place only comes off a legal name: 北京大学 and 上海汽车 keep theirs
    assert ctx.reductions("上海汽车", "han", query=True) == [] or all(
        r.place for r in ctx.reductions("上海汽车", "han", query=True))


@pytest.mark.parametrize("text,script,stem", [("허베이성", "hangul", "허베이"), ("장닝구", "hangul", "장닝"),
                                              ("Hefei City", "latin", "hefei"), ("江宁区", "han", "江宁"),
                                              ("北京市房山区", "han", "房山")])
def test_administrative_affixes_come_off_places_only(text, script, stem, ctx):
    reds = {r.key: r for r in ctx.reductions(text, script, query=True)}
    assert stem in reds and reds[stem].place
    assert all(not r.place for r in ctx.reductions(text, script, query=False, place=False))


def test_place_alias_gets_a_core_key_org_alias_does_not(ctx):
    assert ("core", "허베이") in keys_of("허베이성", ctx, kind="place")
    assert ("core", "허베이") not in keys_of("허베이성", ctx, kind="org")


# ---------------------------------------------------------------- blocking


def test_deletion_neighbourhood():
    assert K.deletes(["a", "b", "c"], ".") == ["a.b.c", "b.c", "a.c", "a.b"]
    assert K.deletes("aab") == ["aab", "ab", "aa"]  # a repeated unit gives one deletion


def test_short_names_get_no_fuzzy_blocking_keys(ctx):
    kinds = {k for k, _ in keys_of("江宁", ctx)} | {k for k, _ in keys_of("장닝", ctx)} | {k for k, _ in keys_of("BYD", ctx)}
    assert not kinds & {"hdel", "zdel", "ldel"}


# ---------------------------------------------------------------- input checking


@pytest.mark.parametrize("bad,message", [("", "empty"), ("   \t ", "control"), ("  ", "empty"),
                                         ("a" * 1001, "too long"), ("닝더\x00스다이", "control"),
                                         ("x\ny", "control"), (None, "string")])
def test_bad_names_are_refused_with_a_reason(bad, message):
    with pytest.raises(KozhError, match=message):
        K.clean_name(bad)


def test_a_huge_line_is_refused_without_scanning_it():
    with pytest.raises(KozhError, match="too long"):
        K.clean_name("가" * 10_000_000)


def test_zero_width_characters_are_dropped():
    assert K.clean_name("\ufeff닝더스다이\u200b") == "닝더스다이"


def test_importing_resolver_loads_no_heavy_model_or_reading_table():
    code = ("import sys, resolver; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('kiwipiepy','jieba','pypinyin','opencc','hanja','numpy')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
