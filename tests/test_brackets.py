"""Bracket shapes of Korean press: every part of a bracket in its role, the Chinese name alone in zh.

The sentences are written for these tests, in the shapes wire news, economic press, encyclopedia leads and
blogs use about China.
"""
import pytest

from glossary.brackets import analyse_content
from glossary.pairs import extract_pairs


def one(text):
    found = extract_pairs(text)
    assert len(found) == 1, found
    return found[0]


def test_age_after_the_name():
    p = one("레이쥔(雷軍·55) 샤오미 회장은 새 전기차를 공개했다.")
    assert (p.ko, p.zh, p.age, p.kind) == ("레이쥔", "雷軍", 55, "person")


def test_age_photo_and_name_in_any_order():
    p = one("화웨이의 런정페이(81·任正非·사진) 창업자가 입을 열었다.")
    assert (p.ko, p.zh, p.age, p.photo, p.kind) == ("런정페이", "任正非", 81, True, "person")


def test_title_after_a_middle_dot():
    p = one("광둥성에서는 황쿤밍(黃坤明·당서기)이 회의를 주재했다.")
    assert (p.ko, p.zh, p.title, p.kind) == ("황쿤밍", "黃坤明", "당서기", "person")


def test_title_after_a_comma():
    p = one("허리펑(何立峰, 국무원 부총리)은 무역 협상을 이끌었다.")
    assert (p.zh, p.title, p.kind) == ("何立峰", "국무원 부총리", "person")


def test_a_second_korean_form_and_a_gloss():
    assert one("알리바바는 바이두(百度·바이두)와 경쟁한다.").other_forms == ["바이두"]
    p = one("정부는 탕핑(躺平·무기력하게 드러눕기 현상)을 경계했다.")
    assert (p.ko, p.zh, p.gloss, p.other_forms) == ("탕핑", "躺平", "무기력하게 드러눕기 현상", [])


def test_latin_form_and_stock_code():
    p = one("비야디(比亞迪·BYD, 002594.SZ)의 주가가 올랐다.")
    assert (p.ko, p.zh, p.en, p.code) == ("비야디", "比亞迪", "BYD", "002594.SZ")
    p = one("구이저우마오타이(貴州茅台 600519)는 배당을 늘렸다.")
    assert (p.zh, p.code) == ("貴州茅台", "600519")
    p = one("텐센트(騰訊, 0700.HK)가 실적을 냈다.")
    assert (p.zh, p.code) == ("騰訊", "0700.HK")


def test_a_bracket_with_a_code_and_no_han_is_no_pair():
    assert extract_pairs("샤오미(1810.HK)와 메이퇀(3690.HK)") == []


def test_slash_rank_and_affiliation():
    p = one("부호 순위에서는 장이밍(張一鳴/바이트댄스/1위)이 앞섰다.")
    assert (p.ko, p.zh, p.gloss, p.other_forms) == ("장이밍", "張一鳴", "1위", ["바이트댄스"])


def test_encyclopedia_lead_with_labels():
    p = one("선전(중국어 간체자: 深圳, 정체자: 深圳, 병음: Shēnzhèn, 한국 한자음: 심천)은 광둥성의 도시이다.")
    assert (p.ko, p.zh, p.pinyin) == ("선전", "深圳", "Shēnzhèn")
    assert p.other_forms == ["深圳", "심천"]
    p = one("샤오미(중국어: 小米, 영어: Xiaomi)는 전자 기업이다.")
    assert (p.ko, p.zh, p.en) == ("샤오미", "小米", "Xiaomi")


def test_labelled_traditional_form_first():
    c = analyse_content("정체자: 張藝謀, 간체자: 张艺谋")
    assert (c.zh, c.other_forms) == ("張藝謀", ["张艺谋"])


def test_verse_and_sentences_are_not_pairs():
    assert extract_pairs("'산은 높고 물은 길다(山高水長 源遠流長)'는 말이 있다.") == []
    assert extract_pairs("그는 '배움에는 끝이 없다(學無止境，業精於勤)'고 적었다.") == []


def test_names_side_by_side_in_a_cell_stay_one_pair():
    p = one("출처: 바이두 바이자하오(百度 百家号)")
    assert (p.ko, p.zh) == ("바이두 바이자하오", "百度 百家号")


def test_dotted_chinese_names_are_one_name():
    p = one("마크 저커버그(马克·扎克伯格)가 상하이를 찾았다.")
    assert (p.ko, p.zh) == ("마크 저커버그", "马克·扎克伯格")


@pytest.mark.parametrize("text, expected", [
    ("관리들은 숫자보다 질(質)을 강조했다.", [("질", "質")]),
    ("성 아래 3개 현(縣)이 있다.", [("현", "縣")]),
    ("입장료는 50위안(元)이다.", [("위안", "元")]),
    ("현(縣)급 정부와 탈(脫)빈곤 정책, 신(新)소비", []),
])
def test_one_character_glosses(text, expected):
    assert [(p.ko, p.zh) for p in extract_pairs(text)] == expected


@pytest.mark.parametrize("text, kind", [
    ("창업자 쑨퍄오양(孫飄揚)이 말했다.", "person"),
    ("항저우시 당서기 류제(劉捷) 서기는", "person"),
    ("저우치룽(周啟榮) 회장은 은퇴했다.", "person"),
    ("푸둥신구(浦東新區)에 본사를 둔다.", "place"),
    ("구러우구(鼓樓區)인민정부가 발표했다.", "place"),
    ("쓰촨성 통계국(四川省統計局)에 따르면", "org"),
    ("전기차 브랜드 지커(極氪)가 출시됐다.", "product"),
    ("중국은 공동부유(共同富裕)를 내세웠다.", "term"),
    ("관광객은 황허(黃河)를 따라 걸었다.", "place"),
    ("「악양루기(岳陽樓記)」를 읽었다.", "doc"),
])
def test_kind_from_evidence(text, kind):
    assert one(text).kind == kind


def test_pair_json_keys():
    row = one("레이쥔(雷軍·55·사진) 회장").to_json()
    assert row == {"ko": "레이쥔", "zh": "雷軍", "en": None, "kind": "person", "score": 1.0, "age": 55, "photo": True}


@pytest.mark.parametrize("text, ko", [
    ("홍콩과 마카오(澳門)를 잇는 다리", "마카오"),        # an exonym: 오 alone would cut the word apart
    ("소비자는 이제 가성비(性價比)를 따진다.", "가성비"),  # a Korean word whose hanja order differs
    ("상하이지아딩(嘉定)에 공장이 있다.", "지아딩"),      # a whole explanation may start inside a word
])
def test_a_partly_explained_span_does_not_cut_a_word(text, ko):
    assert one(text).ko == ko
