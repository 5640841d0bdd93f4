"""Validate a TBX-Basic (v3, DCT) document the way LTAC's TBX-Basic.nvdl says, with the official files in
tests/tbx_schemas/:

- the whole document against the core structure RNG (TBXcoreStructV03.rng);
- every element in the Min or Basic module namespace, as its own section, against Min.rng or Basic.rng
  (NVDL <validate> in mode RNG);
- the whole document against the DCT, Basic and Min Schematrons.

The Schematrons declare queryBinding="xslt2" (XPath 2.0: matches(), `is`, root()), which lxml's
isoschematron (XSLT 1.0) cannot run, so each rule is run here with Saxon's XPath 3.1 processor
(saxonche): for every pattern, a rule fires on the nodes its context matches that no earlier rule of
the same pattern fired on (ISO Schematron's rule order), and every assert is checked on them.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from lxml import etree

SCHEMAS = Path(__file__).parent / "tbx_schemas"
MODULES = {"http://www.tbxinfo.net/ns/min": "Min.rng", "http://www.tbxinfo.net/ns/basic": "Basic.rng"}
SCHEMATRONS = ("TBX-Basic_DCT.sch", "Basic.sch", "Min.sch")
SCH = "{http://purl.oclc.org/dsdl/schematron}"


@lru_cache(maxsize=None)
def _rng(name: str) -> etree.RelaxNG:
    return etree.RelaxNG(etree.parse(str(SCHEMAS / name)))


def rng_errors(data: bytes) -> list[str]:
    root = etree.fromstring(data)
    errors = []
    core = _rng("TBXcoreStructV03.rng")
    if not core.validate(root.getroottree()):
        errors += [f"core RNG: line {e.line}: {e.message}" for e in core.error_log]
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        ns = etree.QName(el).namespace
        parent_ns = etree.QName(el.getparent()).namespace if el.getparent() is not None else None
        if ns in MODULES and parent_ns != ns:  # the top of a module section
            schema = _rng(MODULES[ns])
            section = etree.fromstring(etree.tostring(el))
            if not schema.validate(section):
                # A section cut out of the document cannot resolve an IDREF to an id elsewhere in it;
                # the DCT Schematron checks every @target against the whole document instead.
                errors += [f"{MODULES[ns]}: line {el.sourceline}: {e.message}" for e in schema.error_log
                           if "references an unknown ID" not in e.message]
    return errors


@lru_cache(maxsize=1)
def _saxon():
    from saxonche import PySaxonProcessor

    return PySaxonProcessor(license=False)


def schematron_errors(data: bytes) -> list[str]:
    proc = _saxon()
    document = proc.parse_xml(xml_text=data.decode("utf-8"))
    errors = []
    for name in SCHEMATRONS:
        schema = etree.parse(str(SCHEMAS / name)).getroot()
        assert schema.get("queryBinding") == "xslt2", name
        xpath = proc.new_xpath_processor()
        for ns in schema.iter(f"{SCH}ns"):
            xpath.declare_namespace(ns.get("prefix"), ns.get("uri"))
        xpath.set_context(xdm_item=document)
        for pattern in schema.iter(f"{SCH}pattern"):
            earlier: list[str] = []
            for rule in pattern.iter(f"{SCH}rule"):
                context = f"//({rule.get('context')})"
                fires = context + "".join(f" except //({c})" for c in earlier)
                earlier.append(rule.get("context"))
                for check in rule.iter(f"{SCH}assert"):
                    failing = xpath.evaluate(f"count(({fires})[not({check.get('test')})])")
                    count = int(str(failing))
                    if count:
                        message = " ".join("".join(check.itertext()).split())
                        errors.append(f"{name} {pattern.get('id')}: {count} x {rule.get('context')}: "
                                      f"{message or check.get('test')}")
    return errors


def tbx_basic_errors(data: bytes) -> list[str]:
    return rng_errors(data) + schematron_errors(data)
