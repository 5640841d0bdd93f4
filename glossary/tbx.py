"""TBX: writing TBX-Basic (TBX v3, ISO 30042:2019, DCT style, the LTAC TBX-Basic dialect) and TBX-Basic
2008 (TBX v2 <martif>, which OmegaT 3.6 and older tools read), and reading TBX v3 (DCT or DCA style)
and TBX v2 files, safely.

Written shape, one conceptEntry (v2: termEntry) per entity:
    <conceptEntry id="e0123456789">                      entity id (xml_id: an NCName, reversible)
      <note>kind: org</note>                             entity kind (a kind is not a subject field)
      <langSec xml:lang="zh-Hans">                       ko, zh-Hans, zh-Hant, en      (v2: langSet)
        <termSec>                                                                      (v2: tig)
          <term>华为</term>
          <min:administrativeStatus>preferredTerm-admn-sts</min:administrativeStatus>
          <basic:termType>shortForm</basic:termType>      when the form shows it (acronym, short/full form)
          <basic:context>... 화웨이(华为)는 ...</basic:context>   Korean terms only: snippets are Korean
          <note>origin: attested; count: 12</note>
          <note>pinyin: huá wèi</note>                   on the first Chinese term: pinyin is how the
                                                         Chinese is read, not a language of its own
A matching-only reading (interchange.is_reading), written only when asked for, is a
deprecatedTerm-admn-sts term (not to be used as a translation) with the note
"reading for matching, not a translation; kozh status: admitted", which import reads back.
v2 writes the same data categories the TBX-Basic 2008 way: <termNote type="administrativeStatus">,
<termNote type="termType">, <descrip type="context">.

Reading never expands entities or loads a DTD or anything from the network; a document that declares
entities is refused outright (billion laughs, external entities).
"""
from __future__ import annotations

import re

from lxml import etree

from glossary.errors import KozhError
from glossary.interchange import Entry, Term, decode_id, lang_for_tag, status_for, term_lang, xml_id
from glossary.link import clean

# The namespace LTAC's TBX-Basic and TBX-Core schemas use since 2018 (the draft "ed:3.0" one is refused).
TBX_NS = "urn:iso:std:iso:30042:ed-2"
MIN_NS = "http://www.tbxinfo.net/ns/min"
BASIC_NS = "http://www.tbxinfo.net/ns/basic"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
NVDL = ('href="https://raw.githubusercontent.com/LTAC-Global/TBX-Basic_dialect/master/DCT/TBX-Basic.nvdl" '
        'type="application/xml" schematypens="http://purl.oclc.org/dsdl/nvdl/ns/structure/1.0"')

ADMIN_STATUS = {"preferred": "preferredTerm-admn-sts", "admitted": "admittedTerm-admn-sts",
                "deprecated": "deprecatedTerm-admn-sts"}
LANG_TAGS = {"ko": "ko", "zh-Hans": "zh-Hans", "zh-Hant": "zh-Hant", "en": "en"}
XCS = "TBXBasicXCSV02.xcs"  # the TBX-Basic 2008 constraint specification a v2 file names
_PINYIN_NOTE = re.compile(r"pinyin(?: \((preferred|admitted|deprecated)\))?: (.+)")
_KIND_NOTE = re.compile(r"kind: (\S+)")
_READING_NOTE = "reading for matching, not a translation; kozh status: {status}"
_READING_NOTE_RE = re.compile(r"reading for matching, not a translation; kozh status: (preferred|admitted|deprecated)")

_ALL_CAPS = re.compile(r"[A-Z][A-Z0-9&.\-]*[A-Z0-9.]")
_XML_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


# ---------------------------------------------------------------- writing


def term_type(term: Term, same_lang: list[str]) -> str | None:
    """What the form itself shows: SAIC an acronym (U.S. an abbreviation); 华为 the short form of
    华为技术有限公司, which is the full form. None when nothing shows."""
    text = term.text
    if _ALL_CAPS.fullmatch(text) and sum(c.isalpha() for c in text) >= 2:
        return "abbreviation" if "." in text else "acronym"
    if term.lang == "pinyin":
        return None
    if any(text != other and text in other for other in same_lang):
        return "shortForm"
    if any(text != other and other in text for other in same_lang):
        return "fullForm"
    return None


def _clean_text(entry: Entry, text: str) -> str:
    if _XML_UNSAFE.search(text):
        raise KozhError(f"entity {entry.id}: alias {text!r} contains a control character XML cannot carry")
    return text


class _Writer:
    """The element names of one TBX version; the entry layout is the same for both."""

    def __init__(self, version: int):
        self.v3 = version == 3
        self.ns = TBX_NS if self.v3 else None

    def el(self, parent, tag: str, text: str | None = None, *, module: str | None = None, **attrs):
        name = f"{{{module or self.ns}}}{tag}" if (module or self.ns) else tag
        el = etree.SubElement(parent, name, **attrs) if parent is not None else etree.Element(name, **attrs)
        if text is not None:
            el.text = text
        return el

    def status(self, sec, status: str) -> None:
        if self.v3:
            self.el(sec, "administrativeStatus", ADMIN_STATUS[status], module=MIN_NS)
        else:
            self.el(sec, "termNote", ADMIN_STATUS[status], type="administrativeStatus")

    def term_type(self, sec, kind: str) -> None:
        if self.v3:
            self.el(sec, "termType", kind, module=BASIC_NS)
        else:
            self.el(sec, "termNote", kind, type="termType")

    def context(self, sec, text: str) -> None:
        if self.v3:
            self.el(sec, "context", text, module=BASIC_NS)
        else:
            self.el(sec, "descrip", text, type="context")

    def root(self, count: int):
        if self.v3:
            root = etree.Element(f"{{{TBX_NS}}}tbx", nsmap={None: TBX_NS, "min": MIN_NS, "basic": BASIC_NS},
                                 type="TBX-Basic", style="dct")
        else:
            root = etree.Element("martif", type="TBX-Basic")
        root.set(XML_LANG, "ko")
        header = self.el(root, "tbxHeader" if self.v3 else "martifHeader")
        file_desc = self.el(header, "fileDesc")
        self.el(self.el(file_desc, "titleStmt"), "title", "kozh Korean-Chinese entity glossary")
        self.el(self.el(file_desc, "sourceDesc"), "p",
                f"Exported by kozh: {count} entities, one concept each; concept ids are kozh entity ids "
                "(kozh- prefixed ids are escaped); notes give each term's origin and count of mentions.")
        if not self.v3:
            self.el(self.el(header, "encodingDesc"), "p", XCS, type="XCSURI")
        return root


def write_tbx(entries: list[Entry], *, version: int = 3) -> bytes:
    """TBX-Basic v3 (DCT) or, version=2, TBX-Basic 2008 (<martif>)."""
    w = _Writer(version)
    root = w.root(len(entries))
    body = w.el(w.el(root, "text"), "body")
    for entry in entries:
        langs = [lang for lang in LANG_TAGS if any(t.lang == lang for t in entry.terms)]
        if not langs:
            continue  # TBX needs a langSec per concept; an entity without terms has nothing to say
        concept = w.el(body, "conceptEntry" if w.v3 else "termEntry", id=xml_id(entry.id))
        w.el(concept, "note", f"kind: {entry.kind}")
        pinyin = [t for t in entry.terms if t.lang == "pinyin"]
        pinyin_on = next((t for t in entry.terms if t.lang in ("zh-Hans", "zh-Hant")), None)
        for lang in langs:
            section = w.el(concept, "langSec" if w.v3 else "langSet")
            section.set(XML_LANG, LANG_TAGS[lang])
            terms = [t for t in entry.terms if t.lang == lang]
            texts = [t.text for t in terms]
            for t in terms:
                sec = w.el(section, "termSec" if w.v3 else "tig")
                w.el(sec, "term", _clean_text(entry, t.text))
                w.status(sec, "deprecated" if t.reading else t.status)
                if kind := term_type(t, texts):
                    w.term_type(sec, kind)
                if t.context and t.lang == "ko":
                    w.context(sec, _XML_UNSAFE.sub(" ", t.context))
                w.el(sec, "note", f"origin: {t.origin}; count: {t.count or 0}")
                if t.reading:
                    w.el(sec, "note", _READING_NOTE.format(status=t.status))
                if t is pinyin_on:
                    for p in pinyin:
                        label = "pinyin" if p.status == "preferred" else f"pinyin ({p.status})"
                        w.el(sec, "note", f"{label}: {_clean_text(entry, p.text)}")
    if w.v3:
        root.addprevious(etree.ProcessingInstruction("xml-model", NVDL))
    return etree.tostring(root.getroottree(), xml_declaration=True, encoding="UTF-8", pretty_print=True)


# ---------------------------------------------------------------- reading


def _local(el) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def _refuse_entity_declarations(data: bytes, name: str) -> None:
    """Before parsing: an ASCII-compatible document declaring entities is refused with its line.
    (UTF-16 ones are caught after parsing, from the DTD lxml keeps without expanding anything.)"""
    doctype = re.search(rb"<!DOCTYPE", data)
    if doctype is None:
        return
    end = data.find(b"]>", doctype.start())
    match = re.search(rb"<!ENTITY", data[doctype.start():end if end >= 0 else len(data)])
    if match:
        line = data.count(b"\n", 0, doctype.start() + match.start()) + 1
        raise KozhError(f"{name}: line {line}: XML entity declarations are not accepted "
                        "(a glossary needs none; they are how XML bombs and external-file reads work)")


def parse_xml(data: bytes, name: str):
    _refuse_entity_declarations(data, name)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                             dtd_validation=False, remove_comments=True, remove_pis=True)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as e:
        line = f"line {e.lineno}: " if e.lineno else ""
        raise KozhError(f"{name}: {line}malformed XML: {e.msg}") from None
    except ValueError as e:  # lxml's own refusals (e.g. a str with an encoding declaration)
        raise KozhError(f"{name}: malformed XML: {e}") from None
    dtd = root.getroottree().docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):
        raise KozhError(f"{name}: XML entity declarations are not accepted "
                        "(a glossary needs none; they are how XML bombs and external-file reads work)")
    return root


_STATUS_TYPES = {"administrativeStatus", "normativeAuthorization"}


def _status(container, name: str) -> str | None:
    for el in container.iter():
        local = _local(el)
        if local in _STATUS_TYPES or (local == "termNote" and el.get("type") in _STATUS_TYPES):
            try:
                return status_for(el.text)
            except ValueError:
                raise KozhError(f"{name}: line {el.sourceline}: unknown administrative status {el.text!r} "
                                "(use preferredTerm-admn-sts, admittedTerm-admn-sts or deprecatedTerm-admn-sts)") from None
    return None


def _notes(container) -> list[str]:
    return [clean("".join(el.itertext())) for el in container if _local(el) == "note"]


def _kind(concept) -> str | None:
    """kozh's "kind: org" note; a subject field as other tools (and kozh before) write the kind."""
    for note in _notes(concept):
        if m := _KIND_NOTE.fullmatch(note):
            return m.group(1)
    candidates = list(concept)
    for child in concept:
        if _local(child) == "descripGrp":
            candidates.extend(child)
    for el in candidates:
        local = _local(el)
        if local == "subjectField" or (local == "descrip" and el.get("type") == "subjectField"):
            return clean("".join(el.itertext()))
    return None


def parse_tbx(data: bytes, name: str, ignored: dict[str, int]) -> list[Entry]:
    root = parse_xml(data, name)
    if _local(root) not in ("tbx", "martif"):
        raise KozhError(f"{name}: line {root.sourceline}: not a TBX file: the root element is <{_local(root)}>, "
                        "expected <tbx> (TBX v3) or <martif> (TBX v2)")
    default_lang = root.get(XML_LANG)
    entries = []
    for concept in root.iter("{*}conceptEntry", "{*}termEntry"):
        entry = Entry([], id=decode_id(concept.get("id")), kind=_kind(concept), line=concept.sourceline)
        sections = [c for c in concept if _local(c) in ("langSec", "langSet")]
        pinyin: list[Term] = []
        for section in sections:
            tag = section.get(XML_LANG) or default_lang
            lang = lang_for_tag(tag)
            containers = [c for c in section if _local(c) in ("termSec", "tig", "ntig")]
            if lang is None:
                ignored[tag or "(none)"] = ignored.get(tag or "(none)", 0) + len(containers)
                continue
            for container in containers:
                terms = list(container.iter("{*}term"))
                if len(terms) != 1:
                    raise KozhError(f"{name}: line {container.sourceline}: <{_local(container)}> has {len(terms)} "
                                    "<term> elements, expected exactly one")
                text = clean("".join(terms[0].itertext()))
                if not text:
                    continue
                status = _status(container, name)
                for note in _notes(container):
                    if m := _READING_NOTE_RE.fullmatch(note):  # written as deprecated, kept as it was
                        status = m.group(1)
                    elif m := _PINYIN_NOTE.fullmatch(note):
                        pinyin.append(Term(m.group(2), "pinyin", m.group(1) or "preferred",
                                           line=container.sourceline))
                entry.terms.append(Term(text, term_lang(lang, text), status, line=terms[0].sourceline))
        entry.terms += pinyin
        entries.append(entry)
    return entries
