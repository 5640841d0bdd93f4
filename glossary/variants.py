"""Chinese script folding: traditional and Korean-hanja variants to one simplified key, and back to traditional.

OpenCC does the traditional/simplified conversion; han_variants.tsv adds the Korean code points
(靑, 淸, 硏 ...) that OpenCC treats as distinct characters.
"""
from functools import lru_cache
from importlib.resources import files


@lru_cache(maxsize=1)
def _korean_variants() -> dict[str, str]:
    table = {}
    for line in files("glossary").joinpath("data/han_variants.tsv").read_text("utf-8").splitlines():
        if line and not line.startswith("#"):
            variant, simplified = line.split("\t")[:2]
            table[variant] = simplified
    return table


@lru_cache(maxsize=1)
def _converters():
    import opencc

    return opencc.OpenCC("t2s.json"), opencc.OpenCC("s2t.json")


@lru_cache(maxsize=65536)
def to_simplified(text: str) -> str:
    """騰訊新聞 -> 腾讯新闻, 靑島 -> 青岛."""
    table = _korean_variants()
    text = "".join(table.get(c, c) for c in text)
    return _converters()[0].convert(text)


@lru_cache(maxsize=65536)
def to_traditional(text: str) -> str:
    """宁德时代 -> 寧德時代 (what Sino-Korean readings are defined on)."""
    return _converters()[1].convert(to_simplified(text))


def is_variant_of(a: str, b: str) -> bool:
    return to_simplified(a) == to_simplified(b)
