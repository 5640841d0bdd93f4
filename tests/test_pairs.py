"""Pair extraction on real sentences (from the KIC China newsletters and the issue's examples)."""
import pytest

from glossary.pairs import extract_pairs


def pairs(text):
    return [(p.ko, p.zh) for p in extract_pairs(text)]


def one(text):
    found = extract_pairs(text)
    assert len(found) == 1, [(p.ko, p.zh) for p in found]
    return found[0]


@pytest.mark.parametrize("text,ko,zh", [
    ("한국혁신기업 청두(成都)행", "청두", "成都"),
    ("산업과학기술단지\t상하이교통대학, 상하이시민항구(闵行区)인민정부", "민항구", "闵行区"),
    ("#### 1) 상하이 지아딩 수소에너지항(上海嘉定氢能港) 소개", "상하이 지아딩 수소에너지항", "上海嘉定氢能港"),
    ("광저우에는 GAC Group(广汽集团)과 GPHL(广药集团)이 있다", "GAC Group", "广汽集团"),
    ("BYD 는 2003 년 친추안자동차(秦川汽车)를 인수했다", "친추안자동차", "秦川汽车"),
    ("베이징의 과학기술단지\t베이징항공항티엔대학(北京航空航天大学), 중관촌", "베이징항공항티엔대학", "北京航空航天大学"),
    ("## 3. 5G 디지털백서 — 국가광파전시총국(国家广播电视总局)", "국가광파전시총국", "国家广播电视总局"),
    ("사진 4) 출처: 텐센트망(腾讯网), SAIC(上汽)가 생산하는", "텐센트망", "腾讯网"),
    ("중국 과학기술부 장광진(张广军), 공청단", "장광진", "张广军"),
    ("이 밖에 따싱공항경제구(临空经济区)가", "공항경제구", "临空经济区"),
    ("<li>• 클라우드 컴퓨팅 네이티브(Cloud+Native, 云原生)</li>", "클라우드 컴퓨팅 네이티브", "云原生"),
    ("이와 관련하여 지아딩수소에너지항은 SHPT(捷氢科技), GWM(长城汽车)", "SHPT", "捷氢科技"),
    ("3. 왕이하오 IEV (网易号 智电汽车)", "왕이하오 IEV", "网易号 智电汽车"),
    ("외부 성·시(省市)에서 획득한", "성·시", "省市"),
    ("시안 '베이도우+(北斗+)' 플랫폼", "베이도우+", "北斗+"),
    ("CATL(宁德时代), BYD(比亚迪), CALB(中航锂电), GOTION Hi-Tech(国轩高科), Envision AESC(远景 AESC)",
     "Envision AESC", "远景 AESC"),
])
def test_left_boundary(text, ko, zh):
    assert (ko, zh) in pairs(text)


def test_brackets_of_every_kind():
    assert pairs("닝더스다이（宁德时代）와 지아딩【嘉定】, 취션닝[渠慎宁]") == [
        ("닝더스다이", "宁德时代"), ("지아딩", "嘉定"), ("취션닝", "渠慎宁")]


def test_person_bracket_gives_title_and_nested_pair():
    found = extract_pairs("출처: PCPOP(泡泡网), 지아즈창[贾志强, 차이나유니콤(中国联通) 총경리]")
    assert [(p.ko, p.zh, p.kind) for p in found] == [
        ("PCPOP", "泡泡网", "org"), ("지아즈창", "贾志强", "person"), ("차이나유니콤", "中国联通", "org")]
    assert found[1].title == "차이나유니콤(中国联通) 총경리"


def test_nested_chinese_is_part_of_the_outer_form():
    found = extract_pairs("세계적 기업 Plastic Omnium New Energy[彼欧新能源(上海)有限公司]이")
    assert [(p.ko, p.zh) for p in found] == [("Plastic Omnium New Energy", "彼欧新能源(上海)有限公司")]


def test_list_of_pairs_in_a_bracket():
    assert pairs("지아딩구 기업 [REFIRE(重塑能源集团), SHPT(捷氢科技), Horizonfuelcell(上海清志新能源技术有限公司)]") == [
        ("REFIRE", "重塑能源集团"), ("SHPT", "捷氢科技"), ("Horizonfuelcell", "上海清志新能源技术有限公司")]


def test_several_forms_in_one_bracket():
    p = one("알리바바 산하 AMAP(고덕지도, 高德地图)은")
    assert (p.ko, p.zh, p.en, p.other_forms) == ("AMAP", "高德地图", "AMAP", ["고덕지도"])
    p = one("그리고 종양세포가 MHC(대조직 적합성복합체, 大組織適合性複合體, major histocompatibility complex)를")
    assert (p.ko, p.zh) == ("MHC", "大組織適合性複合體")
    assert p.other_forms == ["대조직 적합성복합체", "major histocompatibility complex"]


def test_english_full_name_before_chinese_is_another_form():
    p = one("20년 전 SFCV(Shanghai Fuel Cell Vehicle Power System Co., Ltd 上海燃料电池汽车动力系统有限公司)는")
    assert (p.ko, p.zh) == ("SFCV", "上海燃料电池汽车动力系统有限公司")
    assert p.other_forms == ["Shanghai Fuel Cell Vehicle Power System Co., Ltd"]


def test_han_with_latin_inside():
    assert pairs("IT 쥐즈(IT 桔子)의 통계") == [("IT 쥐즈", "IT 桔子")]


def test_suffix_after_the_bracket():
    p = one("그는 푸단(復旦)대학을 졸업했다")
    assert (p.ko, p.zh, p.suffix_after, p.kind) == ("푸단", "復旦", "대학", "org")
    p = one("중국 장쑤(江蘇)성은")
    assert (p.ko, p.suffix_after, p.kind) == ("장쑤", "성", "place")
    assert one("청두(成都)에서").suffix_after is None


def test_table_row_gives_english_from_the_next_cell():
    p = one("아이쿠춘(爱库存)\tAikucun\t상하이\n")
    assert (p.ko, p.zh, p.en) == ("아이쿠춘", "爱库存", "Aikucun")


@pytest.mark.parametrize("text", [
    "'혁신 협력 미래 신(新)산업·신(新)경제'",
    "혁신형 본사와 복합형 R&D 본사에 비(非)상하이",
    "이식편의세포가 피(被)이식자의 세포에",
    "风起嘉定“氢能港”(上海嘉定)",
    "(上海嘉定氢能港)",
    "주소: 上海市嘉定区安亭镇(墨玉南路888号)",
])
def test_non_pairs_are_not_emitted(text):
    assert extract_pairs(text) == []


def test_pdf_line_wrap_inside_a_name():
    p = one("그 밖에\n쿤\n룬칩테크놀로지(昆仑芯科技)가 있다")
    assert (p.ko, p.zh, p.linebreak) == ("쿤룬칩테크놀로지", "昆仑芯科技", True)


def test_positions_point_into_the_original_text():
    text = "중국 장쑤(江蘇)성"
    p = one(text)
    assert text[p.start:p.bracket] == "장쑤" and text[p.bracket:p.end] == "(江蘇)"


def test_kinds():
    kinds = {p.zh: p.kind for p in extract_pairs(
        "리이중[李毅中, 전 산업정보화부 장관], 통지대학(同济大学), 양푸구(杨浦区), 리엔상그룹(联想集团), CATL(宁德时代)")}
    assert kinds == {"李毅中": "person", "同济大学": "org", "杨浦区": "place", "联想集团": "org", "宁德时代": "org"}


def test_scores_are_confidences():
    for p in extract_pairs("닝더스다이(宁德时代)와 SL Capital(君海创芯)"):
        assert 0.0 <= p.score <= 1.0
    strong, weak = extract_pairs("닝더스다이(宁德时代)와 SL Capital(君海创芯)")
    assert strong.score > weak.score


def test_empty_and_bracketless_text():
    assert extract_pairs("") == []
    assert extract_pairs("괄호가 없는 문장입니다.") == []
    assert extract_pairs("괄호(닫히지 않음 宁德") == []


def test_latin_and_chinese_joined_by_a_middle_dot():
    p = one("중국 최대 배터리 업체 닝더스다이(CATL·宁德时代)는")
    assert (p.ko, p.zh, p.en, p.other_forms) == ("닝더스다이", "宁德时代", "CATL", ["CATL"])


@pytest.mark.parametrize("text,ko", [
    ("중국 모바일 결제 서비스 알리페이(支付宝)는 최근", "알리페이"),
    ("중국 인터넷 기업 바이트댄스(字节跳动)가", "바이트댄스"),
    ("중국 틱톡(抖音)", "틱톡"),
    ("국가 주도의 신형 인프라(新基建) 투자", "신형 인프라"),
    ("수준별 육성(梯度培育) 정책", "수준별 육성"),
    ("당서기, 요시다 도모미(吉田智久美) 주칭다오", "요시다 도모미"),
])
def test_when_phonetics_cannot_decide_apposition_is_not_part_of_the_name(text, ko):
    assert one(text).ko == ko


def test_kind_needs_more_than_a_one_syllable_ending_inside_the_name():
    assert one("수준별 육성(梯度培育) 정책").kind != "place"
    assert one("중국 장쑤(江蘇)성은").kind == "place"


def test_latin_after_a_middle_dot_is_another_form():
    p = one("화웨이의 자체 운영체제 훙멍(鸿蒙·HarmonyOS)은")
    assert (p.ko, p.zh, p.other_forms) == ("훙멍", "鸿蒙", ["HarmonyOS"])


def test_near_spellings_alone_do_not_make_a_span_explained():
    # 스 is only a near spelling of 深: the descriptor 스타트업 must not be taken into the name
    assert one("중국 AI 스타트업 딥시크(DeepSeek·深度求索)가").ko == "딥시크"
