"""kozh's resolver: any spelling of a Chinese name (Korean transliteration or Sino-Korean reading, hybrid,
traditional script, pinyin, legal full name, typo) -> the glossary entity, with a score and a reason.

    from resolver import resolve, Resolver, Match
    resolve("닝더스다이")[0]   # Match(entity_id=..., zh='宁德时代', method='transliteration', confident=True, ...)
"""
from .index import Index, load_aliases, refresh
from .resolve import THRESHOLD, Match, Resolver, default_db_path, resolve, to_json

__all__ = ["Index", "Match", "Resolver", "THRESHOLD", "default_db_path", "load_aliases", "refresh", "resolve",
           "to_json"]
