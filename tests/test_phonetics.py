"""The Mandarin -> Hangul tables against the examples of 외래어 표기법 (중국어), and the phonetic key."""
import pytest

from glossary import phonetics

# Examples from the official rules and the National Institute of Korean Language's usage.
OFFICIAL = {
    "北京": "베이징", "上海": "상하이", "重庆": "충칭", "天津": "톈진", "西安": "시안", "厦门": "샤먼",
    "成都": "청두", "广州": "광저우", "深圳": "선전", "杭州": "항저우", "青岛": "칭다오", "大连": "다롄",
    "呼和浩特": "후허하오터", "乌鲁木齐": "우루무치", "哈尔滨": "하얼빈", "石家庄": "스자좡", "郑州": "정저우",
    "广东": "광둥", "江苏": "장쑤", "四川": "쓰촨", "延边": "옌볜", "旅顺": "뤼순", "宁德时代": "닝더스다이",
    "嘉定": "자딩", "毛泽东": "마오쩌둥", "邓小平": "덩샤오핑", "习近平": "시진핑", "李鹏": "리펑",
    "熊猫": "슝마오", "日照": "르자오", "自贡": "쯔궁", "曲阜": "취푸", "桂林": "구이린", "雪": "쉐",
    "云南": "윈난", "新疆": "신장", "贵州": "구이저우", "昆明": "쿤밍",
}


@pytest.mark.parametrize("zh,ko", sorted(OFFICIAL.items()))
def test_official_transliteration(zh, ko):
    assert phonetics.transliterate(zh) == ko


def test_affricates_drop_the_y_glide():
    # ㅈ ㅉ ㅊ 다음의 이중 모음은 단모음으로 적는다: jia 자, jie 제, jiu 주, qian 첸; ㅅ keeps it: xia 샤
    assert [phonetics.pinyin_to_hangul(s) for s in ("jia", "jie", "jiu", "qian", "xia", "xiu", "zhou")] == \
        ["자", "제", "주", "첸", "샤", "슈", "저우"]


def test_informal_spellings_are_listed_after_the_standard():
    assert phonetics.pinyin_to_hangul("jia", informal=True)[:2] == ("자", "지아")
    assert "티엔" in phonetics.pinyin_to_hangul("tian", informal=True)
    assert "씽" in phonetics.pinyin_to_hangul("xing", informal=True)
    assert "따" in phonetics.pinyin_to_hangul("da", informal=True)
    assert phonetics.pinyin_to_hangul("qqq") is None


@pytest.mark.parametrize("zh,ko", [("北京", "북경"), ("上海", "상해"), ("宁德时代", "영덕시대"), ("比亚迪", "비아적"),
                                   ("联想集团", "연상집단"), ("华中科技大学", "화중과기대학"), ("李鹏", "이붕"),
                                   ("靑島", "청도")])
def test_sino_korean_reading_via_traditional_with_initial_sound_rule(zh, ko):
    assert phonetics.sino_korean(zh) == ko


def test_char_sino_gives_medial_and_initial_forms():
    assert {"영", "녕"} <= set(phonetics.char_sino("宁"))  # hanja reads 宁 as 저 until it is made 寧
    assert phonetics.char_sino("李") == ("리", "이")


def test_heteronyms_are_kept():
    assert {"zhong", "chong"} <= set(phonetics.char_pinyin("重"))
    assert {"zeng", "ceng"} <= set(phonetics.char_pinyin("曾"))
    assert phonetics.pinyin("重庆") == ["chong", "qing"]


@pytest.mark.parametrize("informal,standard", [("지아딩", "자딩"), ("티엔", "톈"), ("씽", "싱"), ("루어", "뤄"),
                                               ("따싱", "다싱"), ("리엔", "롄"), ("지에", "제"), ("쥐량수안슈", "쥐량쏸수")])
def test_phonetic_key_meets_informal_and_standard(informal, standard):
    assert phonetics.phonetic_key(informal) == phonetics.phonetic_key(standard)


@pytest.mark.parametrize("a,b", [("산시", "상시"), ("자딩", "자동"), ("톈", "텐트"), ("리", "이")])
def test_phonetic_key_keeps_different_sounds_apart(a, b):
    assert phonetics.phonetic_key(a) != phonetics.phonetic_key(b)


def test_translated_parts_are_data():
    parts = phonetics.translated_parts()
    assert "자동차" in parts["汽车"] and "그룹" in parts["集团"]
