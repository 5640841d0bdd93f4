"""The translator's entity card: every form of the entity a name resolves to, and where it was seen."""
from __future__ import annotations

import os

from .index import connect_ro
from .resolve import Resolver, default_db_path

SOURCES = 5


def lookup(name: str, *, db: str | os.PathLike[str] | None = None) -> dict | None:
    """Card for the entity `name` resolves to with confidence; for a Chinese name in no entity, the
    not-in-the-glossary card {"query", "in_glossary": False, "rendering": <kozh translit --json>}; else None."""
    path = db if db is not None else default_db_path()
    resolver = Resolver(path)
    matches = resolver.resolve(name, limit=1)
    if not matches or not matches[0].confident:
        return _not_in_glossary(name)
    match = matches[0]
    card = resolver.entity(match.entity_id)
    card["match"] = match.to_dict()
    card["zh_hant"] = next((a["text"] for a in card["aliases"] if a["lang"] == "zh-Hant"), None)
    card["pinyin"] = next((a["text"] for a in card["aliases"] if a["lang"] == "pinyin"), None)
    card["sources"] = _sources(path, card["id"])
    card["in_glossary"] = True
    return card


def _not_in_glossary(name: str) -> dict | None:
    """What a translator needs for a Chinese name no entity holds: its standard Korean form."""
    from glossary.scripts import is_han
    from glossary.translit import transliterate

    if not any(is_han(c) for c in name):
        return None
    return {"query": name, "in_glossary": False, "rendering": transliterate(name).to_dict()}


def _sources(path, entity_id: str) -> list[dict]:
    """Up to SOURCES mentions of the entity: document, line, column and a context snippet."""
    conn = connect_ro(path)
    try:
        rows = conn.execute(
            """SELECT d.path, m.line, m.col, m.snippet FROM mentions m
               JOIN documents d ON d.id = m.document_id
               JOIN aliases a ON a.id IN (m.zh_alias_id, m.ko_alias_id, m.en_alias_id)
               WHERE a.entity_id = ? GROUP BY m.document_id, m.seq ORDER BY d.path, m.line, m.col LIMIT ?""",
            (entity_id, SOURCES)).fetchall()
    finally:
        conn.close()
    return [{"file": r[0], "line": r[1], "col": r[2], "context": r[3]} for r in rows]
