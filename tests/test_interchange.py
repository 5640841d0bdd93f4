"""CAT-tool interchange: TBX / CSV / TSV / JSONL / OmegaT export and import."""
import json
import re
import sqlite3
from pathlib import Path

import pytest
from lxml import etree

from glossary import curation, interchange
from glossary.build import build, default_curated
from glossary.errors import KozhError
from glossary.interchange import decode_id, export, import_file, xml_id
from glossary.store import open_db
from glossary.tbx import TBX_NS

SCHEMAS = Path(__file__).resolve().parent / "tbx_schemas"

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
MIN_NS = "http://www.tbxinfo.net/ns/min"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
STATUS_VALUES = {"preferredTerm-admn-sts", "admittedTerm-admn-sts", "deprecatedTerm-admn-sts"}
EXTENSIONS = {"tbx": "tbx", "tbx2": "tbx", "csv": "csv", "tsv": "tsv", "jsonl": "jsonl", "omegat": "utf8"}


# ---------------------------------------------------------------- helpers and fixtures


def new_db(path):
    open_db(path, write=True, create=True).close()
    return path


def copy_db(src, dst):
    source, target = sqlite3.connect(src), sqlite3.connect(dst)
    try:
        source.backup(target)
    finally:
        source.close()
        target.close()
    return dst


def q(path, sql, *params):
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def glossary(path):
    """What a round trip must keep: entities (id, kind) and their aliases (text, lang, status)."""
    return (sorted(q(path, "SELECT id, kind FROM entities")),
            sorted(q(path, "SELECT entity_id, text, lang, status FROM aliases")))


def everything(path):
    """Every row an import could touch, for 'changed nothing' checks."""
    return {table: sorted(q(path, f"SELECT * FROM {table}"), key=repr)
            for table in ("entities", "aliases", "curation", "redirects", "mentions")}


def aliases_of(path, entity_id):
    return sorted(q(path, "SELECT lang, text, status, origin FROM aliases WHERE entity_id = ?", entity_id))


def entity_holding(path, text):
    rows = q(path, "SELECT DISTINCT entity_id FROM aliases WHERE text = ?", text)
    assert len(rows) == 1, rows
    return rows[0][0]


@pytest.fixture(scope="module")
def real_db(tmp_path_factory):
    """A glossary built from the shared corpus (real pairs); a curated one when the corpus is absent."""
    path = tmp_path_factory.mktemp("real") / "real.sqlite"
    if CORPUS.is_dir() and any(CORPUS.iterdir()):
        report = build(path, [CORPUS], curated=default_curated())
        assert report.entities > 100 and not report.failed
    else:
        make_small(path)
    return path


def make_small(path):
    """Every status, pinyin, two entities sharing a Chinese form, a ';' and a '\\' inside an alias."""
    new_db(path)
    huawei = curation.add(path, "org", "华为", ko="화웨이", en="Huawei")
    curation.alias_add(path, huawei, "華為", "zh-Hant", "preferred")
    curation.alias_add(path, huawei, "华为技术有限公司", "zh-Hans", "admitted")
    curation.alias_add(path, huawei, "화위", "ko", "admitted")
    curation.alias_add(path, huawei, "Huawei Tech; Ltd", "en", "admitted")
    curation.alias_add(path, huawei, "Hua\\wei", "en", "deprecated")
    curation.alias_add(path, huawei, "Huáwéi", "pinyin", "preferred")
    hefei = curation.add(path, "place", "合肥市", ko="허페이시", en="Hefei")
    curation.alias_add(path, hefei, "合肥", "zh-Hans", "admitted")
    curation.alias_add(path, hefei, "합비", "ko", "deprecated")
    zone = curation.add(path, "place", "合肥高新区", ko="허페이 하이테크존")
    curation.alias_add(path, zone, "合肥", "zh-Hans", "admitted")
    curation.alias_remove(path, zone, "合肥高新区")  # now its only Chinese form is one hefei has too
    curation.alias_remove(path, zone, "合肥高新區")
    curation.alias_add(path, zone, "HHTZ", "en", "admitted")  # a language without a preferred form
    catl = curation.add(path, "org", "宁德时代", ko="닝더스다이", en="CATL")
    curation.alias_add(path, catl, "寧德時代新能源科技", "zh-Hant", "admitted")
    curation.deprecate(path, catl, "닝더스다이")
    return path


@pytest.fixture(scope="module")
def small_db(tmp_path_factory):
    return make_small(tmp_path_factory.mktemp("small") / "small.sqlite")


@pytest.fixture
def small(small_db, tmp_path):
    """A private copy to import into."""
    return copy_db(small_db, tmp_path / "small.sqlite")


def write(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return path


# ---------------------------------------------------------------- TBX structure


def tbx_errors(data: bytes) -> list[str]:
    pytest.importorskip("saxonche")  # the Schematrons are XPath 2.0: lxml's XSLT 1.0 cannot run them
    from tbx_validate import tbx_basic_errors

    return tbx_basic_errors(data)


def test_the_validator_accepts_ltacs_example_and_catches_what_is_wrong():
    example = (SCHEMAS / "Example_Astronomy_DCT_VALID.tbx").read_bytes()
    assert tbx_errors(example) == []
    draft_ns = example.replace(b"urn:iso:std:iso:30042:ed-2", b"urn:iso:std:iso:30042:ed:3.0")
    assert tbx_errors(draft_ns)[0] == "core RNG: line 4: Element tbx has wrong namespace: expecting urn:iso:std:iso:30042:ed-2"
    bad_value = example.replace(b"<min:partOfSpeech>noun<", b"<min:partOfSpeech>nouns<", 1)
    assert "Min.rng: line 60: Element partOfSpeech failed to validate content" in tbx_errors(bad_value)
    misplaced = example.replace(b"<min:subjectField>General</min:subjectField>", b"", 1).replace(
        b'<langSec xml:lang="en">', b'<langSec xml:lang="en"><min:subjectField>General</min:subjectField>', 1)
    assert tbx_errors(misplaced) == ["Min.sch module.min.descrip: 1 x min:subjectField: "
                                     "Subject Field can only appear at conceptEntry level."]


@pytest.mark.parametrize("include_readings", [False, True])
def test_tbx_of_a_real_glossary_is_valid_tbx_basic(real_db, tmp_path, include_readings):
    out = tmp_path / "g.tbx"
    n = export(real_db, "tbx", out, include_readings=include_readings)
    data = out.read_bytes()
    assert data.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    assert tbx_errors(data) == []
    root = etree.fromstring(data)
    assert root.tag == f"{{{TBX_NS}}}tbx" and TBX_NS == "urn:iso:std:iso:30042:ed-2"
    assert len(root.findall(f".//{{{TBX_NS}}}conceptEntry")) == n == q(real_db, "SELECT count(*) FROM entities")[0][0]
    langs = {s.get(XML_LANG) for s in root.iter(f"{{{TBX_NS}}}langSec")}
    assert langs == {"ko", "zh-Hans", "zh-Hant", "en"}  # pinyin is a note of the Chinese term
    contexts = root.findall(".//{http://www.tbxinfo.net/ns/basic}context")
    assert all(c.getparent().getparent().get(XML_LANG) == "ko" for c in contexts)
    if CORPUS.is_dir():  # mentions exist: Korean terms carry a context snippet
        assert contexts


def test_tbx_details_of_a_small_glossary(small_db, tmp_path):
    out = tmp_path / "g.tbx"
    export(small_db, "tbx", out)
    data = out.read_bytes()
    assert tbx_errors(data) == []
    root = etree.fromstring(data)
    ns = {"t": TBX_NS, "min": MIN_NS, "basic": "http://www.tbxinfo.net/ns/basic"}
    huawei = entity_holding(small_db, "华为")
    concept = root.xpath(f"//t:conceptEntry[@id='{huawei}']", namespaces=ns)[0]
    assert concept.xpath("t:note/text()", namespaces=ns) == ["kind: org"]
    assert not concept.xpath(".//min:subjectField", namespaces=ns)

    def term(text):
        (sec,) = concept.xpath(f".//t:termSec[t:term='{text}']", namespaces=ns)
        return (sec.getparent().get(XML_LANG), sec.xpath("min:administrativeStatus/text()", namespaces=ns)[0],
                sec.xpath("basic:termType/text()", namespaces=ns), sec.xpath("t:note/text()", namespaces=ns))

    assert term("华为") == ("zh-Hans", "preferredTerm-admn-sts", ["shortForm"],
                          ["origin: curated; count: 0", "pinyin: Huáwéi"])
    assert term("华为技术有限公司") == ("zh-Hans", "admittedTerm-admn-sts", ["fullForm"], ["origin: curated; count: 0"])
    assert term("Hua\\wei") == ("en", "deprecatedTerm-admn-sts", [], ["origin: curated; count: 0"])
    # 화위 is the Sino-Korean reading of 华为: kept for matching, not offered as a translation
    assert not concept.xpath(".//t:termSec[t:term='화위']", namespaces=ns)
    catl = entity_holding(small_db, "宁德时代")
    assert root.xpath(f"//t:conceptEntry[@id='{catl}']//t:termSec[t:term='CATL']/basic:termType/text()",
                      namespaces=ns) == ["acronym"]
    export(small_db, "tbx", out, include_readings=True)
    root = etree.fromstring(out.read_bytes())
    concept = root.xpath(f"//t:conceptEntry[@id='{huawei}']", namespaces=ns)[0]
    assert term("화위") == ("ko", "deprecatedTerm-admn-sts", [], [
        "origin: curated; count: 0", "reading for matching, not a translation; kozh status: admitted"])


def test_readings_are_sino_korean_forms_nobody_wrote(small_db):
    from glossary.interchange import Term, is_reading

    assert is_reading(Term("영덕시대", "ko", "admitted", "curated", 0), ["宁德时代"])
    assert is_reading(Term("비아적", "ko", "admitted", "curated", 0), ["比亚迪", "比亞迪"])
    assert not is_reading(Term("영덕시대", "ko", "admitted", "attested", 2), ["宁德时代"])  # written in a text
    assert not is_reading(Term("닝더스다이", "ko", "admitted", "curated", 0), ["宁德时代"])  # a transliteration
    assert not is_reading(Term("영덕시대", "ko", "preferred", "curated", 0), ["宁德时代"])  # the standard form
    # Korean names this one by reading its characters: its other readings are Korean forms too
    assert not is_reading(Term("인민은행", "ko", "admitted", "curated", 0), ["中国人民银行", "人民银行"], ["중국인민은행"])


def test_xml_ids_are_valid_and_reversible():
    assert xml_id("e0123456789") == "e0123456789"
    for original in ("12ab", "a b/c", "kozh-x", "합비", "_x"):
        made = xml_id(original)
        assert re.fullmatch(r"[A-Za-z][A-Za-z0-9._-]*", made), made
        assert decode_id(made) == original


# ---------------------------------------------------------------- round trips


def round_trip(src, fmt, tmp_path, **options):
    """export -> import into an empty glossary -> export -> import -> export: the last two files."""
    files = []
    db = src
    for step in ("first", "second", "third"):
        path = tmp_path / f"{step}.{EXTENSIONS[fmt]}"
        export(db, fmt, path, **options)
        files.append(path)
        if step != "third":
            db = new_db(tmp_path / f"{step}.sqlite")
            report = import_file(db, path, fmt=fmt)
            assert not report.skipped
            assert report.created == report.entries == q(src, "SELECT count(*) FROM entities")[0][0]
            if step == "first":
                copy = db
    return copy, files


@pytest.mark.parametrize("fmt", ["tbx", "tbx2", "csv", "tsv", "jsonl"])
@pytest.mark.parametrize("source", ["real_db", "small_db"])
def test_export_import_export_is_lossless_with_readings(request, source, fmt, tmp_path):
    src = request.getfixturevalue(source)
    options = {} if fmt == "jsonl" else {"include_readings": True}
    copy, (first, second, third) = round_trip(src, fmt, tmp_path, **options)
    assert glossary(copy) == glossary(src)
    assert set(q(copy, "SELECT DISTINCT origin FROM aliases")) <= {("curated",), ("generated",)}
    # What the copy exports is what a copy of the copy exports: nothing drifts on the way round.
    assert third.read_bytes() == second.read_bytes()


SHIPPED = Path(__file__).resolve().parents[1] / "data" / "aliases.sqlite"


@pytest.mark.parametrize("fmt,layout", [("tbx", None), ("tbx2", None), ("csv", "generic"), ("csv", "memoq"),
                                        ("tsv", "trados"), ("jsonl", None)])
def test_round_trip_of_the_shipped_glossary_is_stable(fmt, layout, tmp_path):
    options = {"layout": layout} if layout else {}
    copy, (first, second, third) = round_trip(SHIPPED, fmt, tmp_path, **options)
    assert third.read_bytes() == second.read_bytes()
    # readings are left out, every form offered is one the shipped glossary has
    offered = {(lang, text) for _, text, lang, _ in glossary(copy)[1]}
    assert offered <= {(lang, text) for _, text, lang, _ in glossary(SHIPPED)[1]}
    if fmt != "jsonl":  # JSON lines carries every alias
        assert ("ko", "영덕시대") not in offered and ("ko", "비아적") not in offered
    if fmt in ("tbx", "tbx2"):
        assert ("ko", "닝더스다이") in offered and ("pinyin", "níng dé shí dài") in offered


def test_tbx_written_by_another_tool_imports(small, tmp_path):
    """LTAC's own valid TBX-Basic example (English and Spanish astronomy terms)."""
    report = import_file(small, SCHEMAS / "Example_Astronomy_DCT_VALID.tbx")
    assert report.ignored_langs == {"es": 52, "zu": 6}
    assert (report.entries, report.created, len(report.skipped)) == (45, 0, 39)  # 6 have only es/zu terms
    assert report.skipped[0].endswith(
        "Example_Astronomy_DCT_VALID.tbx:15: open cluster, galactic cluster: no Chinese form and no matching entity")
    with_zh = (SCHEMAS / "Example_Astronomy_DCT_VALID.tbx").read_bytes().replace(
        b'<langSec xml:lang="es">', b'<langSec xml:lang="zh-Hans"><termSec><term>\xe7\x96\x8f\xe6\x95\xa3\xe6\x98\x9f\xe5\x9b\xa2</term></termSec></langSec><langSec xml:lang="es">', 1)
    report = import_file(small, write(tmp_path, "astro.tbx", with_zh))
    assert report.created == 1
    cluster = entity_holding(small, "疏散星团")
    assert q(small, "SELECT kind FROM entities WHERE id = ?", cluster) == [("other",)]  # subjectField General
    assert [(lang, text, status) for lang, text, status, _ in aliases_of(small, cluster)
            if lang == "en"] == [("en", "galactic cluster", "deprecated"), ("en", "open cluster", "preferred")]


def test_importing_twice_changes_nothing(small_db, real_db, tmp_path):
    target = copy_db(real_db, tmp_path / "target.sqlite")
    for fmt in ("tbx", "csv", "jsonl", "omegat"):
        path = tmp_path / f"small.{EXTENSIONS[fmt]}"
        export(small_db, fmt, path)
        import_file(target, path)
        before = everything(target)
        report = import_file(target, path)
        assert report.ops == 0 and report.created == 0 and report.merged == 0, fmt
        assert everything(target) == before, fmt


def test_reimporting_a_glossarys_own_export_changes_nothing(real_db, tmp_path):
    target = copy_db(real_db, tmp_path / "target.sqlite")
    before = everything(target)
    out = tmp_path / "own.tbx"
    export(target, "tbx", out)
    report = import_file(target, out)
    assert report.ops == 0 and report.unchanged == report.entries
    assert everything(target) == before


def test_a_rebuild_keeps_what_was_imported(small_db, tmp_path):
    out = tmp_path / "small.tbx"
    export(small_db, "tbx", out, include_readings=True)
    fresh = new_db(tmp_path / "fresh.sqlite")
    import_file(fresh, out)
    imported = glossary(fresh)
    report = build(fresh, [], curated=[], relink_always=True)
    assert report.curation_problems == []
    assert glossary(fresh) == imported == glossary(small_db)


def test_an_import_into_a_built_glossary_survives_kozh_build(real_db, tmp_path):
    target = copy_db(real_db, tmp_path / "target.sqlite")
    tbx = write(tmp_path, "old.tbx", MARTIF)
    report = import_file(target, tbx)
    assert report.created >= 1
    after = glossary(target)
    corpus = [CORPUS] if CORPUS.is_dir() else []
    rebuilt = build(target, corpus, curated=default_curated() if corpus else [], relink_always=True)
    assert rebuilt.curation_problems == []
    assert glossary(target) == after
    assert ("허페이 첨단기술개발구", "ko", "preferred") in {
        (t, lang, s) for _, t, lang, s in after[1]}


# ---------------------------------------------------------------- TBX v2 and other tools' files


MARTIF = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE martif SYSTEM "TBXcoreStructV02.dtd">
<martif type="TBX" xml:lang="en-US">
 <martifHeader><fileDesc><sourceDesc><p>from an older tool</p></sourceDesc></fileDesc></martifHeader>
 <text><body>
  <termEntry id="c1">
   <descrip type="subjectField">org</descrip>
   <langSet xml:lang="zh-CN"><tig><term>华为</term>
     <termNote type="administrativeStatus">preferredTerm-admn-sts</termNote></tig></langSet>
   <langSet xml:lang="ko-KR"><tig><term>화웨이 테크놀로지스</term>
     <termNote type="administrativeStatus">admittedTerm-admn-sts</termNote></tig></langSet>
   <langSet xml:lang="ja"><tig><term>ファーウェイ</term></tig></langSet>
  </termEntry>
  <termEntry id="c2">
   <descrip type="subjectField">place</descrip>
   <langSet xml:lang="zh"><ntig><termGrp><term>合肥高新技术产业开发区</term></termGrp></ntig>
     <tig><term>合肥高新技術產業開發區</term></tig></langSet>
   <langSet xml:lang="zh-TW"><tig><term>合肥高新區</term>
     <termNote type="administrativeStatus">deprecatedTerm-admn-sts</termNote></tig></langSet>
   <langSet xml:lang="ko"><tig><term>허페이 첨단기술개발구</term></tig></langSet>
   <langSet xml:lang="en-GB"><tig><term>Hefei <hi>High-tech</hi> Zone</term></tig></langSet>
  </termEntry>
 </body></text>
</martif>
"""


def test_tbx_v2_martif(small, tmp_path):
    huawei = entity_holding(small, "华为")
    path = write(tmp_path, "old.tbx", MARTIF)
    report = import_file(small, path)
    assert (report.format, report.entries, report.created, report.merged) == ("tbx", 2, 1, 1)
    assert report.ignored_langs == {"ja": 1}
    # c1 merged into the entity that holds 华为: a new Korean form, 华为 still preferred
    mine = aliases_of(small, huawei)
    assert ("ko", "화웨이 테크놀로지스", "admitted", "curated") in mine
    assert ("zh-Hans", "华为", "preferred", "curated") in mine
    # c2 is new: zh without a region split by OpenCC, zh-TW is zh-Hant, unsaid statuses -> first preferred
    zone = entity_holding(small, "合肥高新技术产业开发区")
    assert q(small, "SELECT kind FROM entities WHERE id = ?", zone) == [("place",)]
    assert aliases_of(small, zone) == sorted([
        ("zh-Hans", "合肥高新技术产业开发区", "preferred", "curated"),
        ("zh-Hant", "合肥高新技術產業開發區", "preferred", "curated"),
        ("zh-Hant", "合肥高新區", "deprecated", "curated"),
        ("ko", "허페이 첨단기술개발구", "preferred", "curated"),
        ("en", "Hefei High-tech Zone", "preferred", "curated"),
    ])
    log = curation.history(small)
    assert {e["op"] for e in log[-report.ops:]} <= {"add", "alias_add", "alias_remove"}
    assert all(e["args"]["via"].startswith("import old.tbx:") for e in log[-report.ops:])


def test_tbx_v3_dca_style_and_namespace_ed2(small, tmp_path):
    tbx = """<?xml version="1.0"?>
<tbx type="TBX-Basic" style="dca" xml:lang="en" xmlns="urn:iso:std:iso:30042:ed-2">
 <tbxHeader><fileDesc><sourceDesc><p>x</p></sourceDesc></fileDesc></tbxHeader>
 <text><body><conceptEntry id="7">
  <descrip type="subjectField">product</descrip>
  <langSec xml:lang="zh-Hans"><termSec><term>鸿蒙</term>
    <termNote type="administrativeStatus">preferredTerm-admn-sts</termNote></termSec></langSec>
  <langSec xml:lang="en"><termSec><term>HarmonyOS</term>
    <termNote type="administrativeStatus">admittedTerm-admn-sts</termNote></termSec></langSec>
 </conceptEntry></body></text></tbx>"""
    report = import_file(small, write(tmp_path, "dca.xml", tbx))
    assert report.created == 1
    entity = entity_holding(small, "鸿蒙")
    assert ("en", "HarmonyOS", "admitted", "curated") in aliases_of(small, entity)


def test_csv_with_a_header_mapping(small, tmp_path):
    path = write(tmp_path, "client.csv",
                 "Korean,Chinese,Client ref\n"
                 "닝더시대,宁德时代,battery maker\n"
                 "비야디,比亚迪; 比亞迪,\n")
    with pytest.raises(KozhError, match=r"client\.csv: line 1: unknown column\(s\) 'Client ref'"):
        import_file(small, path)
    report = import_file(small, path, mapping={"Korean": "ko", "Chinese": "zh", "Client ref": None})
    assert (report.created, report.merged) == (1, 1)
    catl = entity_holding(small, "宁德时代")
    # the file's first form is preferred: it takes over from the curated 닝더스다이 (already deprecated)
    assert ("ko", "닝더시대", "preferred", "curated") in aliases_of(small, catl)
    byd = entity_holding(small, "比亚迪")
    assert [(lang, text, status) for lang, text, status, _ in aliases_of(small, byd)] == sorted([
        ("ko", "비야디", "preferred"), ("zh-Hans", "比亚迪", "preferred"), ("zh-Hant", "比亞迪", "preferred")])


def test_csv_bom_for_excel(small_db, tmp_path):
    out = tmp_path / "excel.csv"
    export(small_db, "csv", out, bom=True)
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbfid,kind,ko,zh-Hans,zh-Hant,en,pinyin,note,")
    assert "Huawei Tech\\; Ltd" in data.decode("utf-8-sig")
    copy = new_db(tmp_path / "copy.sqlite")
    import_file(copy, out)
    readings = {("화위",), ("합비",)}  # Sino-Korean readings of 华为, 合肥: not offered
    assert set(q(small_db, "SELECT text FROM aliases")) - set(q(copy, "SELECT text FROM aliases")) == readings


MEMOQ_HEADER = "Entry_ID,Entry_Subject,Entry_Note,Korean,Chinese (PRC),Chinese (Taiwan),English"


def test_memoq_layout_follows_memoqs_column_rules(small_db, tmp_path):
    """memoQ's term base CSV: entry-level Entry_ID, Entry_Subject, Entry_Note, then one column per language
    named by the language; alternatives in one cell split by the 'Split alternatives in field by'
    character, ';'; no term a translator should not use in a language column."""
    out = tmp_path / "memoq.csv"
    export(small_db, "csv", out, layout="memoq")
    rows = out.read_text("utf-8").splitlines()
    assert rows[0] == MEMOQ_HEADER
    huawei, catl = entity_holding(small_db, "华为"), entity_holding(small_db, "宁德时代")
    assert rf'{huawei},org,pinyin: Huáwéi | do not use (en): Hua\\wei,화웨이,华为; 华为技术有限公司,華為; 華爲,' \
           rf'Huawei; Huawei Tech\; Ltd' in rows
    assert f"{catl},org,do not use (ko): 닝더스다이,,宁德时代,寧德時代; 寧德時代新能源科技,CATL" in rows
    copy = new_db(tmp_path / "copy.sqlite")
    import_file(copy, out)  # the names alone place every column: no mapping
    assert ("ko", "닝더스다이", "deprecated", "curated") in aliases_of(copy, catl)
    assert ("pinyin", "Huáwéi", "preferred", "curated") in aliases_of(copy, huawei)


def test_no_exported_cell_starts_a_formula(tmp_path):
    db = new_db(tmp_path / "f.sqlite")
    entity = curation.add(db, "org", "加减", en="+1 Corp")
    curation.alias_add(db, entity, "=HYPERLINK(\"http://x\")", "en", "admitted")
    curation.alias_add(db, entity, "-minus", "en", "admitted")
    curation.alias_add(db, entity, "@home", "en", "deprecated")
    curation.alias_add(db, entity, "'quoted", "en", "admitted")
    for layout in ("memoq", "trados", "generic"):
        out = tmp_path / f"{layout}.csv"
        export(db, "csv", out, layout=layout)
        import csv as csv_module
        cells = [c for row in csv_module.reader(out.open(encoding="utf-8")) for c in row]
        assert not [c for c in cells if c[:1] in ("=", "+", "-", "@")], layout
        usable = "'+1 Corp; 'quoted; -minus; =HYPERLINK(\"http://x\")"
        assert [c for c in cells if "Corp" in c] == [usable + ("; @home" if layout == "generic" else "")], layout
        copy = new_db(tmp_path / f"{layout}.sqlite")
        import_file(copy, out)
        assert {t for (t,) in q(copy, "SELECT text FROM aliases WHERE lang IN ('ko', 'en')")} == {
            "=HYPERLINK(\"http://x\")", "+1 Corp", "-minus", "@home", "'quoted"}


def test_omegat_both_directions(small_db, tmp_path):
    ko_zh, zh_ko = tmp_path / "ko-zh.utf8", tmp_path / "zh-ko.utf8"
    export(small_db, "omegat", ko_zh)
    export(small_db, "omegat", zh_ko, direction="zh-ko")
    huawei = entity_holding(small_db, "华为")
    lines = ko_zh.read_text("utf-8").splitlines()
    assert f"화웨이\t华为\torg {huawei}" in lines and f"화위\t华为\torg {huawei}" not in lines  # a reading
    assert not any(line.startswith("닝더스다이\t") for line in lines)  # deprecated forms are not offered
    assert f"華為\t화웨이\torg {huawei}" in zh_ko.read_text("utf-8").splitlines()
    copy = new_db(tmp_path / "copy.sqlite")
    report = import_file(copy, ko_zh)
    assert report.format == "omegat" and not report.skipped
    assert ("ko", "화웨이", "preferred", "curated") in aliases_of(copy, huawei)
    assert ("zh-Hans", "华为", "preferred", "curated") in aliases_of(copy, huawei)


def test_match_places_concepts_the_chinese_does_not(small, tmp_path):
    huawei = entity_holding(small, "华为")
    asked = []

    def match(aliases):
        asked.append(aliases)
        return huawei if ("Huawei", "en") in aliases else None

    path = write(tmp_path, "m.jsonl", json.dumps({"aliases": [
        {"text": "华为终端", "lang": "zh-Hans", "status": "admitted"}, {"text": "Huawei", "lang": "en"}]},
        ensure_ascii=False) + "\n")
    report = import_file(small, path, match=match)
    assert report.merged == 1 and report.created == 0
    assert asked == [[("华为终端", "zh-Hans"), ("Huawei", "en")]]
    assert ("zh-Hans", "华为终端", "admitted", "curated") in aliases_of(small, huawei)


def test_entries_without_chinese_or_match_are_skipped_not_invented(small, tmp_path):
    path = write(tmp_path, "ko.csv", "ko,en\n테스트,Test\n")
    report = import_file(small, path)
    assert report.created == 0 and report.skipped == ["ko.csv:2: 테스트, Test: no Chinese form and no matching entity"]


# ---------------------------------------------------------------- bad input


def assert_refused(db, path, pattern, **kwargs):
    before = everything(db)
    with pytest.raises(KozhError, match=pattern) as caught:
        import_file(db, path, **kwargs)
    assert str(path.name) in str(caught.value)
    assert everything(db) == before


def test_malformed_xml(small, tmp_path):
    path = write(tmp_path, "broken.tbx", '<?xml version="1.0"?>\n<tbx>\n<text><body>\n<conceptEntry>\n</body></tbx>')
    assert_refused(small, path, r"broken\.tbx: line \d+: malformed XML")


def test_xml_bombs_are_refused(small, tmp_path):
    laughs = ('<?xml version="1.0"?>\n<!DOCTYPE tbx [\n <!ENTITY lol "lol">\n'
              + "".join(f' <!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i > 1 else "&lol;" * 10}">\n'
                        for i in range(1, 10))
              + ']>\n<tbx><text><body>&lol9;</body></text></tbx>')
    assert_refused(small, write(tmp_path, "laughs.tbx", laughs), r"laughs\.tbx: line 3: XML entity declarations")
    xxe = ('<?xml version="1.0"?><!DOCTYPE tbx [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
           '<tbx><text><body><conceptEntry><langSec xml:lang="zh"><termSec><term>&x;</term></termSec>'
           '</langSec></conceptEntry></body></text></tbx>')
    assert_refused(small, write(tmp_path, "xxe.tbx", xxe), "entity declarations")
    parameter = ('<?xml version="1.0"?><!DOCTYPE tbx [<!ENTITY % p SYSTEM "http://example.invalid/p.dtd"> %p;]>'
                 '<tbx/>')
    assert_refused(small, write(tmp_path, "param.tbx", parameter), "entity declarations")
    # UTF-16 hides the declaration from a byte scan; the parsed DTD still gives it away
    assert_refused(small, write(tmp_path, "wide.tbx", xxe.replace('version="1.0"', 'version="1.0" encoding="UTF-16"')
                                .encode("utf-16")), "entity declarations")


def test_not_a_tbx_file(small, tmp_path):
    assert_refused(small, write(tmp_path, "page.xml", "<html><body/></html>"), r"root element is <html>")


def test_a_termsec_needs_exactly_one_term(small, tmp_path):
    tbx = ('<tbx xmlns="urn:iso:std:iso:30042:ed:3.0"><text><body><conceptEntry id="c">'
           '<langSec xml:lang="zh-Hans"><termSec><term>甲</term><term>乙</term></termSec></langSec>'
           '</conceptEntry></body></text></tbx>')
    assert_refused(small, write(tmp_path, "two.tbx", tbx), r"two\.tbx: line 1: <termSec> has 2 <term>")


def test_csv_with_wrong_columns(small, tmp_path):
    assert_refused(small, write(tmp_path, "short.csv", "ko,zh-Hans,en\n화웨이,华为,Huawei\n비야디,比亚迪\n"),
                   r"short\.csv: line 3: expected 3 fields like the header, got 2")
    assert_refused(small, write(tmp_path, "nolang.csv", "id,note\ne1,x\n"), r"nolang\.csv: line 1: no language column")
    assert_refused(small, write(tmp_path, "status.csv", "ko,ko_status\n화웨이; 화위,preferred\n"),
                   r"status\.csv: line 2: ko_status lists 1 statuses for 2 ko forms")


def test_undecodable_csv(small, tmp_path):
    assert_refused(small, write(tmp_path, "binary.csv", b"ko,zh\n" + bytes([0x80, 0xff, 0xfe, 0x81]) * 50),
                   r"binary\.csv: cannot decode")


def test_bad_json_line(small, tmp_path):
    good = json.dumps({"aliases": [{"text": "小米", "lang": "zh-Hans"}]}, ensure_ascii=False)
    assert_refused(small, write(tmp_path, "bad.jsonl", good + "\n{nope\n"), r"bad\.jsonl: line 2: not JSON")


def test_huge_files_are_refused_before_reading(small, tmp_path):
    path = tmp_path / "huge.tbx"
    with open(path, "wb") as f:  # sparse: the size is there, the bytes are not
        f.truncate(interchange.MAX_IMPORT_BYTES + 1)
    assert_refused(small, path, r"huge\.tbx: file is 209,715,201 bytes, over the import limit of 200 MB")


def test_nothing_is_half_imported(small, tmp_path):
    rows = "".join(f"{ko},{zh}\n" for ko, zh in [("샤오미", "小米"), ("비야디", "比亚迪"), ("바이두", "百度")])
    path = write(tmp_path, "three.csv", "ko,zh-Hans\n" + rows)
    calls = []

    def match(aliases):
        calls.append(aliases)
        if len(calls) == 3:
            raise RuntimeError("resolver fell over")
        return None

    before = everything(small)
    with pytest.raises(RuntimeError):
        import_file(small, path, match=match)
    assert len(calls) == 3 and everything(small) == before
    assert import_file(small, path).created == 3  # and the database is still usable


def test_unknown_format_and_missing_file(small, tmp_path):
    with pytest.raises(KozhError, match="unknown format 'xlsx'"):
        import_file(small, write(tmp_path, "x.csv", "ko\n"), fmt="xlsx")
    with pytest.raises(KozhError, match=r"nothere\.tbx: no such file"):
        import_file(small, tmp_path / "nothere.tbx")
    with pytest.raises(KozhError, match="unknown format"):
        export(small, "xlsx", tmp_path / "out")


def omegat_glossary(data: bytes, source: str, target: str) -> list[tuple[str, str]]:
    """What OmegaT 3.6 (GlossaryReaderTBX) makes of a TBX file: it unmarshals TBX v2 <martif> only
    (JAXB, no namespace) and, per termEntry, pairs every term of the langSets whose language code is
    the project's source language with every term of the target language's langSets, or with nothing
    when there is none; descrip and note texts become the entry's comment. Checked once against
    OmegaT 3.6.0 itself (Debian's package) on the shipped glossary: 3439 entries ko -> zh-CN,
    3516 zh-CN -> ko, the same counts as this rule."""
    root = etree.fromstring(data)
    assert root.tag == "martif"
    pairs = []
    for entry in root.iter("termEntry"):
        def terms(code):
            return [t.text for s in entry.iter("langSet") if s.get(XML_LANG).split("-")[0] == code
                    for t in s.iter("term")]
        pairs += [(s, t) for s in terms(source) for t in (terms(target) or [""])]
    return pairs


def test_tbx2_is_what_omegat_reads(small_db, tmp_path):
    out = tmp_path / "omegat.tbx"
    export(small_db, "tbx2", out)
    data = out.read_bytes()
    assert b'<martif type="TBX-Basic" xml:lang="ko">' in data and b"<p type=\"XCSURI\">TBXBasicXCSV02.xcs</p>" in data
    assert sorted(omegat_glossary(data, "ko", "zh")) == [
        ("닝더스다이", "宁德时代"), ("닝더스다이", "寧德時代"), ("닝더스다이", "寧德時代新能源科技"),
        ("허페이 하이테크존", "合肥"), ("허페이시", "合肥"), ("허페이시", "合肥市"),
        ("화웨이", "华为"), ("화웨이", "华为技术有限公司"), ("화웨이", "華為"), ("화웨이", "華爲")]
    root = etree.fromstring(data)
    (cn,) = root.xpath("//tig[term='닝더스다이']/termNote[@type='administrativeStatus']/text()")
    assert cn == "deprecatedTerm-admn-sts"  # kept, so OmegaT and kozh both see it is not to be used
    copy = new_db(tmp_path / "copy.sqlite")
    assert import_file(copy, out).created == 4


def test_cli_export_options(small_db, tmp_path):
    from click.testing import CliRunner

    from cli import main

    runner = CliRunner()
    out = tmp_path / "memoq.csv"
    result = runner.invoke(main, ["export", "--db", str(small_db), "--format", "csv", "--layout", "memoq",
                                  "--bom", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"\xef\xbb\xbf" + MEMOQ_HEADER.encode() + b"\r\n")
    for args, message in ((["--format", "tbx", "--layout", "memoq"], "a layout only applies to csv and tsv"),
                          (["--format", "csv", "--layout", "memoq", "--include-readings"],
                           "the memoq layout has no status column to mark readings")):
        result = runner.invoke(main, ["export", "--db", str(small_db), *args, "-o", str(tmp_path / "x")])
        assert result.exit_code == 2 and f"kozh: error: {message}" in result.output, result.output
        assert not (tmp_path / "x").exists()
    result = runner.invoke(main, ["export", "--db", str(small_db), "--format", "tbx", "--include-readings"])
    assert result.exit_code == 0 and "<term>화위</term>" in result.output
