"""TBX: writing TBX-Basic (TBX v3, ISO 30042:2019, DCT style) and reading TBX v3 (DCT or DCA style) and
TBX v2 <martif> files, safely.

Written shape, one conceptEntry per entity:
    <conceptEntry id="e0123456789">                      entity id (xml_id: an NCName, reversible)
      <min:subjectField>org</min:subjectField>           entity kind
      <langSec xml:lang="zh-Hans">                       ko, zh-Hans, zh-Hant, en, zh-Latn-pinyin
        <termSec>
          <term>华为</term>
          <min:administrativeStatus>preferredTerm-admn-sts</min:administrativeStatus>
          <basic:termType>shortForm</basic:termType>      when the form shows it (acronym, short/full form)
          <basic:context>... 화웨이(华为)는 ...</basic:context>   a mention snippet
          <note>origin: attested; count: 12</note>
DCT style puts data categories in the TBX-Min / TBX-Basic module namespaces (the LTAC TBX-Basic
dialect); DCA style's <descrip type="subjectField">, <termNote type="administrativeStatus"> are read too.

Reading never expands entities or loads a DTD or anything from the network; a document that declares
entities is refused outright (billion laughs, external entities).
"""
from __future__ import annotations

import re

from lxml import etree

from glossary.errors import KozhError
from glossary.interchange import Entry, Term, decode_id, lang_for_tag, status_for, term_lang, xml_id
from glossary.link import clean

TBX_NS = "urn:iso:std:iso:30042:ed:3.0"
MIN_NS = "http://www.tbxinfo.net/ns/min"
BASIC_NS = "http://www.tbxinfo.net/ns/basic"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
NVDL = ('href="https://raw.githubusercontent.com/LTAC-Global/TBX-Basic_dialect/master/DCT/TBX-Basic.nvdl" '
        'type="application/xml" schematypens="http://purl.oclc.org/dsdl/nvdl/ns/structure/1.0"')

ADMIN_STATUS = {"preferred": "preferredTerm-admn-sts", "admitted": "admittedTerm-admn-sts",
                "deprecated": "deprecatedTerm-admn-sts"}
LANG_TAGS = {"ko": "ko", "zh-Hans": "zh-Hans", "zh-Hant": "zh-Hant", "en": "en", "pinyin": "zh-Latn-pinyin"}

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


def _sub(parent, ns: str | None, tag: str, text: str | None = None, **attrs):
    el = etree.SubElement(parent, f"{{{ns or TBX_NS}}}{tag}", **attrs)
    if text is not None:
        el.text = text
    return el


def _term_text(entry: Entry, term: Term) -> str:
    if _XML_UNSAFE.search(term.text):
        raise KozhError(f"entity {entry.id}: alias {term.text!r} contains a control character XML cannot carry")
    return term.text


def write_tbx(entries: list[Entry]) -> bytes:
    root = etree.Element(f"{{{TBX_NS}}}tbx", nsmap={None: TBX_NS, "min": MIN_NS, "basic": BASIC_NS},
                         type="TBX-Basic", style="dct")
    root.set(XML_LANG, "ko")
    file_desc = _sub(_sub(root, None, "tbxHeader"), None, "fileDesc")
    _sub(_sub(file_desc, None, "titleStmt"), None, "title", "kozh Korean-Chinese entity glossary")
    _sub(_sub(file_desc, None, "sourceDesc"), None, "p",
         f"Exported by kozh: {len(entries)} entities, one conceptEntry each; conceptEntry ids are kozh entity "
         "ids (kozh- prefixed ids are escaped); notes give each alias's origin and count of mentions.")
    body = _sub(_sub(root, None, "text"), None, "body")
    for entry in entries:
        if not entry.terms:
            continue  # TBX needs a langSec per concept; an entity without aliases has nothing to say
        concept = _sub(body, None, "conceptEntry", id=xml_id(entry.id))
        _sub(concept, MIN_NS, "subjectField", entry.kind)
        for lang, tag in LANG_TAGS.items():
            terms = [t for t in entry.terms if t.lang == lang]
            if not terms:
                continue
            section = _sub(concept, None, "langSec")
            section.set(XML_LANG, tag)
            texts = [t.text for t in terms]
            for t in terms:
                sec = _sub(section, None, "termSec")
                _sub(sec, None, "term", _term_text(entry, t))
                _sub(sec, MIN_NS, "administrativeStatus", ADMIN_STATUS[t.status])
                if kind := term_type(t, texts):
                    _sub(sec, BASIC_NS, "termType", kind)
                if t.context:
                    _sub(sec, BASIC_NS, "context", _XML_UNSAFE.sub(" ", t.context))
                _sub(sec, None, "note", f"origin: {t.origin}; count: {t.count or 0}")
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


def _kind(concept) -> str | None:
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
                if text:
                    entry.terms.append(Term(text, term_lang(lang, text), _status(container, name),
                                            line=terms[0].sourceline))
        entries.append(entry)
    return entries
