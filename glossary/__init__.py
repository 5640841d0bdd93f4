"""kozh's lower floor: reading text, Chinese script and Korean phonetics, pair extraction, the glossary store.

    from glossary import extract_pairs
    extract_pairs("닝더스다이(宁德时代)는")   # [Pair(ko='닝더스다이', zh='宁德时代', ...)]
"""
from .pairs import Pair, extract_pairs
from .translit import Rendering, transliterate

__all__ = ["Pair", "Rendering", "extract_pairs", "transliterate"]
