"""resolver.check: mentions with Korean boundaries, the rules, their switches, the output formats, the
HTML report, bad input, and the real drifts of the corpus newsletters."""
import json
import shutil
import sqlite3
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from glossary.errors import KozhError
from resolver.check import (
    DEFAULT_RULES, RULES, Checker, Finding, check_files, check_text, findings_to_json, format_findings,
    select_rules,
)
from resolver.mentions import Glossary, MentionFinder, align_prefix, load_glossary
from resolver.report import render_html, write_html

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"

ROWS = [
    ("zgc", "중관촌", "ko", "preferred"), ("zgc", "中关村", "zh-Hans", "preferred"),
    ("catl", "닝더스다이", "ko", "preferred"), ("catl", "영덕시대", "ko", "deprecated"),
    ("catl", "닝더 스다이", "ko", "admitted"), ("catl", "닝더시대", "ko", "admitted"),
    ("catl", "宁德时代", "zh-Hans", "preferred"), ("catl", "CATL", "en", "preferred"),
    ("xian", "시안", "ko", "preferred"), ("xian", "西安", "zh-Hans", "preferred"),
    ("xpeng", "샤오펑", "ko", "preferred"), ("xpeng", "小鹏", "zh-Hans", "preferred"),
    ("nio", "웨이라이", "ko", "preferred"), ("nio", "蔚来", "zh-Hans", "preferred"),
    ("hebei", "허베이", "ko", "preferred"), ("hebei", "河北", "zh-Hans", "preferred"),
    ("peng", "평자오", "ko", "preferred"), ("peng", "彭昭", "zh-Hans", "preferred"),
    ("shjd", "상하이지아딩", "ko", "preferred"), ("shjd", "上海嘉定", "zh-Hans", "preferred"),
    ("zgcw", "중관촌과학기술단지관리위원회", "ko", "preferred"), ("zgcw", "中关村科技园区管委会", "zh-Hans", "preferred"),
]


@pytest.fixture(scope="module")
def checker():
    return Checker(ROWS)


def forms(finder, text):
    return [(m.text, m.keys) for m in finder.find(text).mentions]


def rules_of(findings):
    return sorted((f.rule, f.text) for f in findings)


# ---------------------------------------------------------------- mentions and boundaries


def test_particles_and_endings_end_a_name(checker):
    f = checker.finder
    assert forms(f, "베이징 중관촌에서 열린 포럼") == [("중관촌", ("zgc",))]
    assert forms(f, "닝더스다이는 1위, 닝더스다이의 창업자") == [("닝더스다이", ("catl",))] * 2
    assert forms(f, "시안성에서 만났다") == [("시안", ("xian",))]           # administrative suffix
    assert forms(f, "시안과 허베이로") == [("시안", ("xian",)), ("허베이", ("hebei",))]


def test_a_name_buried_in_a_longer_word_is_no_mention(checker):
    f = checker.finder
    assert forms(f, "디자인시안을 제출했다") == []      # preceded by Hangul
    assert forms(f, "시안다리") == []                  # two syllables followed by a non-ending
    assert forms(f, "CATLX 모델과 XCATL") == []        # Latin word boundaries
    assert forms(f, "CATL과 ③CATL") == [("CATL", ("catl",))] * 2


def test_long_names_may_start_a_compound_and_names_may_touch(checker):
    f = checker.finder
    assert forms(f, "중관촌과학기술단지 관리") == [("중관촌", ("zgc",))]
    assert forms(f, "주칭다오 총영사, 주시안 대표") == [("시안", ("xian",))]   # 주(駐) prefix


def test_spacing_does_not_matter_but_a_split_short_name_is_not_one(checker):
    f = checker.finder
    assert forms(f, "상하이 지아딩에서") == [("상하이 지아딩", ("shjd",))]
    assert forms(f, "닝더스다이는 닝더 스다이와") == [("닝더스다이", ("catl",)), ("닝더 스다이", ("catl",))]
    assert forms(f, "시 안에서") == []


def test_standard_transliteration_is_generated():
    f = Checker(ROWS).finder
    found = f.find("펑자오는 말했다").mentions   # the glossary only has 평자오
    assert [(m.text, m.targets) for m in found] == [("펑자오", (("peng", "generated"),))]


def test_parts_of_compound_names_are_mentions_too():
    rows = [("a", "중관촌과학시티", "ko", "preferred"), ("a", "中关村科学城", "zh-Hans", "preferred"),
            ("b", "중관촌관리위원회", "ko", "preferred"), ("b", "中关村管委会", "zh-Hans", "preferred")]
    finder = MentionFinder(Glossary(rows))
    scan = finder.find("중관촌과학시티와 중관춘에서")
    assert [(m.text, m.via) for m in scan.all_mentions()] == [
        ("중관촌과학시티", "alias"), ("중관촌", "part"), ("중관춘", "alias")]
    assert {m.keys for m in scan.all_mentions() if m.via != "alias" or m.text == "중관춘"} == {("zh:中关村",)}
    assert align_prefix("중관촌과학시티", "中关村") == 3
    assert align_prefix("지아딩구", "嘉定") == 3
    assert align_prefix("신량왕", "新浪") == 2       # one near spelling (량 for 랑) allowed
    assert align_prefix("과학시티", "中关村") is None


def test_brackets_are_mentions_and_new_spellings_count(checker):
    scan = checker.finder.find("닝더스다이(宁德时代)와 쭝관촌(中关村)")
    assert [(g.ko, g.zh) for g in scan.glosses] == [("닝더스다이", "宁德时代"), ("쭝관촌", "中关村")]
    assert [(m.text, m.via, m.glossed) for m in scan.mentions if m.lang == "ko"] == [
        ("닝더스다이", "alias", "宁德时代"), ("쭝관촌", "pair", "中关村")]
    assert rules_of(checker.check_text("중관촌과 쭝관촌(中关村)")) == [("unknown-pair", "쭝관촌(中关村)"),
                                                                  ("variant", "쭝관촌")]


# ---------------------------------------------------------------- rules


def test_variant_lists_forms_counts_lines_and_the_preferred_form(checker):
    text = "중관촌에서 열렸다.\n중관춘(中关村)의 기업과\n중관촌 단지"
    findings = checker.check_text(text, file="a.txt")
    assert rules_of(findings) == [("variant", "중관춘")]
    f = findings[0]
    assert (f.file, f.line, f.col, f.entity_id, f.suggestion) == ("a.txt", 2, 1, "zgc", "중관촌")
    assert "중관촌 ×2 (lines 1, 3)" in f.message and "중관춘 ×1 (line 2)" in f.message
    assert "the glossary prefers 중관촌" in f.message


def test_variant_spans_files_and_ignores_spacing(checker):
    findings = checker.check_documents([("a.txt", "평자오는 말했다"), ("b.txt", "펑자오가 답했다. 평자오의 말")])
    assert [(f.file, f.text, f.suggestion) for f in findings] == [("b.txt", "펑자오", "평자오")]
    assert "a.txt:1" in findings[0].message
    assert checker.check_text("닝더스다이와 닝더 스다이") == []   # 띄어쓰기 is not a second spelling


def test_variant_ignores_suffixes_parent_places_and_abbreviations():
    rows = [("bj", "베이징시", "ko", "preferred"), ("bj", "베이징", "ko", "admitted"), ("bj", "북경", "ko", "admitted"),
            ("bj", "北京市", "zh-Hans", "preferred"),
            ("qh", "칭화대학", "ko", "preferred"), ("qh", "칭화대", "ko", "admitted"), ("qh", "清华大学", "zh-Hans", "preferred"),
            ("wh", "우한", "ko", "preferred"), ("wh", "무한", "ko", "admitted"), ("wh", "武汉", "zh-Hans", "preferred")]
    text = "베이징시와 베이징, 칭화대학과 칭화대 교수. 우한에서 무한 경쟁"
    assert check_text(text, glossary=rows) == []   # 무한 'infinite' is a Korean word, not 武汉 misspelt
    assert [(f.text, f.suggestion) for f in check_text(text + ", 북경(北京市)", glossary=rows)] == [("북경", "베이징")]


def test_a_longer_name_keeps_its_tail_in_the_suggestion():
    rows = [("s", "신랑", "ko", "preferred"), ("s", "신량왕", "ko", "admitted"), ("s", "新浪", "zh-Hans", "preferred"),
            ("s", "新浪网", "zh-Hans", "admitted")]
    found = check_text("신랑과 신랑에서, 신량왕", glossary=rows)
    assert [(f.text, f.suggestion) for f in found] == [("신량왕", "신랑왕")] or \
        [(f.text, f.suggestion) for f in found] == []


def test_suffixes_follow_places_only():
    rows = [("ne", "왕이", "ko", "preferred"), ("ne", "网易", "zh-Hans", "preferred"),
            ("xa", "시안", "ko", "preferred"), ("xa", "西安", "zh-Hans", "preferred")]
    finder = Checker(Glossary(rows, kinds={"ne": "org", "xa": "place"})).finder
    assert forms(finder, "왕이진 서기와 시안성에서, 왕이의 게임") == [("시안", ("xa",)), ("왕이", ("ne",))]


def test_transposed_duplicates_are_one_name():
    rows = [("x", "쥐량수안슈", "ko", "preferred", 6), ("x", "巨量算数", "zh-Hans", "preferred", 6),
            ("y", "쥐량슈수안", "ko", "preferred", 1), ("y", "巨量数算", "zh-Hans", "preferred", 1)]
    findings = check_text("쥐량수안슈(巨量算数)의 보고서, 쥐량슈수안(巨量数算) 자료", glossary=rows)
    assert [(f.rule, f.text, f.entity_id, f.suggestion) for f in findings] == [
        ("variant", "쥐량슈수안", "x", "쥐량수안슈")]


def test_deprecated_on_non_preferred_off_by_default(checker):
    text = "영덕시대와 닝더시대, 닝더 스다이"
    assert rules_of(checker.check_text(text)) == [("deprecated", "영덕시대"), ("variant", "닝더시대")]
    found = checker.check_text(text, rules="deprecated,non-preferred")
    assert rules_of(found) == [("deprecated", "영덕시대"), ("non-preferred", "닝더시대")]   # spacing aside
    assert {f.suggestion for f in found} == {"닝더스다이"}


def test_misspelling_one_letter_and_long_name_slips(checker):
    text = "중관촌에 있다. 증관촌에서 만났다. 중관촌과학기술단지지관리위원회와 중관촌과학기술단지관리위원회"
    found = [f for f in checker.check_text(text) if f.rule == "misspelling"]
    assert [(f.text, f.suggestion) for f in found] == [("증관촌", "중관촌"), ("중관촌과학기술단지지관리위원회",
                                                                          "중관촌과학기술단지관리위원회")]
    assert "ㅡ for ㅜ" in found[0].message and "doubled" in found[1].message


def test_misspelling_never_flags_other_names_or_particles(checker):
    # 후베이 (湖北) is a real province beside 허베이 (河北); 평자오의 is 평자오 + 의; 시안 is too short
    text = "허베이와 후베이, 평자오의 발언, 평자오가 말한 시언"
    assert [f for f in checker.check_text(text) if f.rule == "misspelling"] == []


def test_bracket_conflict_and_unknown_pairs(checker):
    text = "샤오펑(蔚来)과 샤오펑(小鹏), 리샹(理想), 웨이라이(小鹏汽车)"
    found = checker.check_text(text)
    assert [(f.rule, f.text, f.entity_id) for f in found] == [
        ("bracket-conflict", "샤오펑(蔚来)", "xpeng"), ("unknown-pair", "리샹(理想)", None),
        ("unknown-pair", "웨이라이(小鹏汽车)", "nio")]
    assert found[0].suggestion == "샤오펑(小鹏)" and "웨이라이" in found[0].message


def test_first_mention_skips_headings_and_reads_nested_brackets(checker):
    text = "## 닝더스다이 특집\n거진[戈峻, 닝더스다이(宁德时代) 고문]은 말했다. 닝더스다이는 크다."
    assert checker.check_text(text, rules=["first-mention"]) == []
    found = checker.check_text("## 닝더스다이 특집\n닝더스다이는 크다.", rules=["first-mention"])
    assert [(f.line, f.text) for f in found] == [(2, "닝더스다이")]


def test_first_mention_off_by_default(checker):
    text = "닝더스다이는 크다.\n닝더스다이(宁德时代)는 2위 시안(西安)에 공장이 있다"
    assert checker.check_text(text) == []
    found = checker.check_text(text, rules=["first-mention"])
    assert [(f.rule, f.text, f.line, f.suggestion) for f in found] == [
        ("first-mention", "닝더스다이", 1, "닝더스다이(宁德时代)")]
    assert "glossed later, on line 2" in found[0].message


# ---------------------------------------------------------------- switches


def test_rule_selection_and_config(tmp_path):
    assert DEFAULT_RULES == {"variant", "deprecated", "misspelling", "bracket-conflict", "unknown-pair"}
    assert select_rules("variant,misspelling") == {"variant", "misspelling"}
    assert select_rules("+first-mention,-misspelling") == DEFAULT_RULES - {"misspelling"} | {"first-mention"}
    config = tmp_path / "kozh.toml"
    config.write_text('[check]\ndisable = ["misspelling"]\nenable = ["non-preferred"]\n', encoding="utf-8")
    assert select_rules(config=config) == DEFAULT_RULES - {"misspelling"} | {"non-preferred"}
    assert select_rules("+misspelling", config=config) == DEFAULT_RULES | {"non-preferred"}
    with pytest.raises(KozhError, match="unknown rule spelling"):
        select_rules("spelling")
    config.write_text("[check]\ndisable = 3\n", encoding="utf-8")
    with pytest.raises(KozhError, match="list of rule ids"):
        select_rules(config=config)
    config.write_text("[check\n", encoding="utf-8")
    with pytest.raises(KozhError, match="cannot read config"):
        select_rules(config=config)
    assert set(RULES) == {"variant", "non-preferred", "deprecated", "misspelling", "bracket-conflict",
                          "unknown-pair", "first-mention"}


def test_rules_given_to_the_checker_are_its_defaults():
    only = Checker(ROWS, rules=["deprecated"])
    assert rules_of(only.check_text("영덕시대, 중관촌과 중관춘")) == [("deprecated", "영덕시대")]


# ---------------------------------------------------------------- output


def test_json_has_exactly_the_contract_keys(checker):
    f = checker.check_text("영덕시대", file="x.txt")[0]
    row = findings_to_json(f)
    assert list(row) == ["file", "line", "col", "rule", "text", "entity_id", "suggestion", "message"]
    assert row == {"file": "x.txt", "line": 1, "col": 1, "rule": "deprecated", "text": "영덕시대",
                   "entity_id": "catl", "suggestion": "닝더스다이",
                   "message": "영덕시대 is deprecated for 宁德时代: write 닝더스다이"}
    json.dumps(row, ensure_ascii=False)


def test_human_format_groups_by_entity(checker):
    text = "중관춘과 영덕시대와 중관촌, 그리고 중관춘"
    out = format_findings(checker.check_text(text, file="a.txt"))
    lines = out.splitlines()
    assert lines[0] == "中关村 [zgc]"
    assert lines[1].startswith("  a.txt:1:1: variant: 中关村 is written 2 ways")
    assert lines[2].startswith("  a.txt:1:21: variant:")
    assert lines[3] == "宁德时代 [catl]"
    assert lines[4] == "  a.txt:1:6: deprecated: 영덕시대 is deprecated for 宁德时代: write 닝더스다이"


class _Marks(HTMLParser):
    def __init__(self):
        super().__init__()
        self.marks, self.external, self.tags, self._in_mark = [], [], set(), False

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        attrs = dict(attrs)
        for name in ("src", "href"):
            if attrs.get(name) and not attrs[name].startswith("#"):
                self.external.append(attrs[name])
        if tag == "mark":
            self.marks.append([attrs["data-rule"], attrs["title"], ""])
            self._in_mark = True

    def handle_endtag(self, tag):
        if tag == "mark":
            self._in_mark = False

    def handle_data(self, data):
        if self._in_mark and self.marks:
            self.marks[-1][2] += data


def test_html_report_is_self_contained_and_marks_every_finding(checker, tmp_path):
    docs = [("a.txt", "중관촌에서 <열린> 행사 & 중관춘\n샤오펑(蔚来) 영덕시대"), ("b.txt", "깨끗한 문서")]
    findings = checker.check_documents(docs)
    page = render_html(docs, findings)
    parser = _Marks()
    parser.feed(page)
    assert parser.external == [] and not parser.tags & {"link", "script", "img", "iframe"}
    assert [(rule, text.rstrip("0123456789")) for rule, _, text in parser.marks] == [
        ("variant", "중관춘"), ("bracket-conflict", "샤오펑(蔚来)"), ("deprecated", "영덕시대")]
    assert "&lt;열린&gt;" in page and "no findings" in page
    assert "中关村" in page and "variant ×1" in page     # the per-entity summary
    out = tmp_path / "report.html"
    write_html(out, docs, findings)
    chromium = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
    if chromium is None:
        pytest.skip("no /usr/bin/chromium: HTML parsed and checked, not rendered to PNG")
    png = tmp_path / "report.png"
    subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", f"--screenshot={png}",
                    "--window-size=1200,900", out.as_uri()], check=True, capture_output=True, timeout=120)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_html_report_folds_long_documents(checker):
    text = "\n".join(["보통 문장입니다."] * 50 + ["중관촌과 중관춘"] + ["끝."] * 50)
    findings = checker.check_text(text, file="long.txt")
    page = render_html([("long.txt", text)], findings, context=1)
    assert page.count("보통 문장입니다.") == 1 and page.count("…") >= 2


# ---------------------------------------------------------------- files and databases


def test_check_files_bad_input_is_reported_not_a_traceback(checker, tmp_path):
    good = tmp_path / "good.txt"
    good.write_text("중관촌과 중관춘", encoding="utf-8")
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    binary = tmp_path / "image.bin"
    binary.write_bytes(bytes(range(256)) * 8)
    mixed = tmp_path / "mixed.txt"
    mixed.write_bytes("중관촌 ".encode("utf-8") * 200 + "중관춘".encode("cp949"))
    errors = []
    found = checker.check_files([good, empty, binary, mixed, tmp_path / "missing.txt"], errors=errors)
    assert [(Path(f.file).name, f.text) for f in found] == [("good.txt", "중관춘")]
    assert [(Path(p).name, msg.split(" (")[0]) for p, msg in errors] == [
        ("image.bin", "binary file"), ("mixed.txt", "cannot decode: invalid UTF-8 at byte 2000"),
        ("missing.txt", "no such file")]
    with pytest.raises(KozhError, match="image.bin: binary file"):
        checker.check_files([binary])


def test_a_huge_single_line_file_is_checked(checker, tmp_path):
    big = tmp_path / "big.txt"
    unit = "중관촌에서 열린 행사는 닝더스다이(宁德时代)가 후원했다. " + "x" * 80 + " "
    with open(big, "w", encoding="utf-8") as f:
        f.write(unit * (50_000_000 // len(unit.encode("utf-8"))) + "중관춘")
    assert big.stat().st_size > 49_000_000 and b"\n" not in big.read_bytes()[:1000]
    found = checker.check_files([big])
    assert [(f.rule, f.text, f.line) for f in found] == [("variant", "중관춘", 1)]


def _make_db(path, entities):
    from glossary.link import Alias
    from glossary.store import insert_entity, open_db, transaction

    db = open_db(path, write=True, create=True)
    with transaction(db) as conn:
        for entity_id, aliases in entities.items():
            insert_entity(conn, entity_id, "org", [Alias(t, lang, status, "curated", 1) for t, lang, status in aliases])
    db.conn.close()


def test_check_files_with_a_database(tmp_path):
    path = tmp_path / "g.sqlite"
    _make_db(path, {"e1": [("중관촌", "ko", "preferred"), ("중관춘", "ko", "deprecated"),
                           ("中关村", "zh-Hans", "preferred")]})
    text = tmp_path / "a.txt"
    text.write_text("중관춘(中关村)에서", encoding="utf-8")
    found = check_files([text], db=path)
    assert [(f.rule, f.text, f.entity_id, f.suggestion) for f in found] == [("deprecated", "중관춘", "e1", "중관촌")]
    assert len(load_glossary(path)) == 1


def test_unusable_databases_are_clear_errors(tmp_path):
    with pytest.raises(KozhError, match="no database at"):
        load_glossary(tmp_path / "nope.sqlite")
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"not a database at all" * 100)
    with pytest.raises(KozhError, match="not a SQLite database"):
        load_glossary(junk)
    other = tmp_path / "other.sqlite"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.commit()
    with pytest.raises(KozhError, match="no aliases table"):
        load_glossary(other)
    with pytest.raises(KozhError, match="status must be one of"):
        Glossary([("e", "중관촌", "ko", "best")])


def test_check_text_accepts_a_checker_rows_or_glossary(checker):
    text = "중관촌과 중관춘"
    expected = rules_of(checker.check_text(text))
    assert rules_of(check_text(text, glossary=checker)) == expected
    assert rules_of(check_text(text, glossary=ROWS)) == expected
    assert rules_of(check_text(text, glossary=Glossary(ROWS), rules=["deprecated"])) == []
    assert check_text("", glossary=checker) == [] and check_text("   \n", glossary=[]) == []


# ---------------------------------------------------------------- the corpus newsletters


@pytest.fixture(scope="module")
def corpus_findings():
    if not CORPUS.is_dir():
        pytest.skip(f"{CORPUS} not present")
    from glossary.pairs import extract_pairs
    from glossary.text import read_text

    docs = [(p.name, read_text(p)) for p in sorted(CORPUS.glob("*.txt"))]
    glossary = Glossary.from_pairs(p for _, text in docs for p in extract_pairs(text))
    return Checker(glossary).check_documents(docs)


def test_corpus_drifts_are_found(corpus_findings):
    """Checked against a glossary of their own pairs, the newsletters' real drifts come out: 中关村 as
    중관촌/중관춘, 嘉定 as 지아딩/자딩, 巨量算数 as 쥐량수안슈/쥐량슈수안, 彭昭 as 펑자오/평자오, 新浪 as 신랑/신량."""
    variants = {}
    for f in corpus_findings:
        if f.rule == "variant":
            variants.setdefault(f.entity, set()).add((f.text, f.suggestion))
    assert variants["中关村"] == {("중관춘", "중관촌")}
    jiading = variants.get("嘉定") or variants.get("嘉定区")   # 嘉定 is the glossary's 嘉定区
    assert jiading in ({("자딩", "지아딩")}, {("자딩구", "지아딩구")})
    assert variants["巨量算数"] == {("쥐량슈수안", "쥐량수안슈")}
    assert variants["彭昭"] == {("평자오", "펑자오")}
    assert variants["新浪"] in ({("신랑", "신량")}, {("신량", "신랑")})
    drifts = {"中关村", "嘉定", "嘉定区", "巨量算数", "彭昭", "新浪", "中关村科技园区管理委员会"}
    assert set(variants) <= drifts       # nothing else is called a variant
    assert all(f.rule == "variant" for f in corpus_findings)


def test_finding_is_a_plain_dataclass():
    f = Finding("a", 1, 2, "variant", "x", None, None, "m")
    assert findings_to_json(f)["entity_id"] is None
