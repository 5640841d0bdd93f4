"""What kind of thing a pair names — person, org, place, product, term, event, doc, other — from evidence
that generalizes, strongest first:

1. the bracket's shape: an age or a title inside it (인융(殷勇·56), 왕위보(王予波·성장)) is a person;
2. a title beside the name: before it (창업자 장쥔제(張俊傑)) or as the next word (리뎬쉰(李殿勳) 성장);
3. the name's head: a Korean ending, with the suffix after the bracket (푸단(復旦)대학), or a Chinese
   ending (闵行区, 宁德时代新能源科技股份有限公司) — data/kind_suffixes.tsv;
4. a quoted title of a work 「적벽부(赤壁賦)」 is a doc;
5. the shape of a Chinese personal name: a surname and one or two characters, not a known place word;
6. a Latin name glossed in Chinese is a company or brand;
7. jieba's dictionary tag for the whole Chinese form (a lookup, no tagging of text), only where the
   above say nothing.
"""
from __future__ import annotations

import re
from functools import lru_cache
from importlib.resources import files

from .brackets import is_title
from .scripts import has_hangul, is_han
from .variants import to_simplified


@lru_cache(maxsize=1)
def _kind_endings() -> dict[str, dict[int, dict[str, str]]]:
    """{lang: {ending length: {ending: kind}}} from data/kind_suffixes.tsv (Chinese endings simplified)."""
    table: dict[str, dict[int, dict[str, str]]] = {"ko": {}, "zh": {}}
    for line in files("glossary").joinpath("data/kind_suffixes.tsv").read_text("utf-8").splitlines():
        if line and not line.startswith("#"):
            lang, ending, kind = line.split("\t")[:3]
            if lang == "zh":
                ending = to_simplified(ending)
            table[lang].setdefault(len(ending), {}).setdefault(ending, kind)
    return {lang: dict(sorted(by_len.items(), reverse=True)) for lang, by_len in table.items()}


def _longest_ending(name: str, lang: str, *, shortest: int = 1) -> str | None:
    """The kind of the longest ending of `name` in the table (longer than `shortest - 1`), or None."""
    for length, endings in _kind_endings()[lang].items():
        if shortest <= length < len(name) and name[-length:] in endings:
            return endings[name[-length:]]
    return None


def heads_a_name(word: str) -> bool:
    """대학, 그룹, 성, 관리위원회: a Korean word that ends like the head of a name."""
    return any(word[-length:] in endings for length, endings in _kind_endings()["ko"].items()
               if length <= len(word))


@lru_cache(maxsize=1)
def surnames() -> frozenset[str]:
    text = files("glossary").joinpath("data/surnames.txt").read_text("utf-8")
    return frozenset(w for line in text.splitlines() if not line.startswith("#") for w in line.split())


def _ending_kind(ko: str, zh: str, suffix_after: str | None) -> str | None:
    """The kind the name's head tells: the Chinese head first (闵行区 is a place even in 민항구(闵行区)인민정부,
    where the bracket glosses the district), then the Korean one with the suffix (푸단(復旦)대학)."""
    chinese = to_simplified(zh.replace(" ", ""))
    # a one-character ending (山, 口, 国) is a head only on a longer name: 眉山 may be a person
    kind = _longest_ending(chinese, "zh", shortest=1 if len(chinese) >= 3 else 2)
    if kind:
        return kind
    # a one-syllable Korean ending (성, 시, 구) is ambiguous inside words (육성, 도시):
    # trust it only when it stands after the bracket
    korean = ((ko or "") + (suffix_after or "")).replace(" ", "")
    return _longest_ending(korean, "ko", shortest=1 if suffix_after else 2)


@lru_cache(maxsize=1)
def _classifier_heads() -> dict[str, str]:
    """Classifier nouns before a name and the kind they announce (전기차 브랜드 아바타 -> product)."""
    heads = {}
    for line in files("glossary").joinpath("data/apposition.tsv").read_text("utf-8").splitlines():
        if line and not line.startswith("#"):
            role, word, kind = line.split("\t")[:3]
            if role == "head" and kind != "-":
                heads[word] = kind
    return heads


def _classifier_before(before: str) -> str | None:
    words = before.rstrip().split()
    if not words or before[-1:] not in " \u3000":
        return None
    last = words[-1]
    heads = _classifier_heads()
    for head in sorted(heads, key=len, reverse=True):
        if last.endswith(head):
            return heads[head]
    return None


def _is_sino_korean_word(ko: str, zh: str) -> bool:
    """내권(內卷), 교두보(橋頭堡), 쌍순환(雙循環): the Korean is the Sino-Korean reading of the whole Chinese —
    how Korean writes a Chinese term, while modern names are transliterated."""
    from .phonetics import char_sino, initial_sound_rule

    korean = ko.replace(" ", "")
    han = [c for c in zh if is_han(c)]
    if len(korean) != len(han) or len(han) < 2:
        return False
    for i, (syllable, ch) in enumerate(zip(korean, han)):
        readings = set(char_sino(ch))
        if i == 0:
            readings |= {initial_sound_rule(r) for r in readings}
        if syllable not in readings:
            return False
    return True


def person_name_shape(zh: str) -> bool:
    """A surname and a given name of one or two characters (王宁, 鍾睒睒, 欧阳娜娜)."""
    han = to_simplified(zh.replace("·", ""))  # 習近平: surnames are listed in one script
    if not all(is_han(c) for c in han):
        return False
    names = surnames()
    if len(han) in (2, 3) and han[0] in names:
        return True
    return len(han) in (3, 4) and han[:2] in names


# What jieba's tag says once the checks before it have taken time words (t), place words (ns) and names of
# a personal-name shape: nr on any other shape is a brand (支付宝).
_DICTIONARY_KIND = {"nr": "org", "nrfg": "org", "nrt": "org", "nt": "org", "nz": "product"}


@lru_cache(maxsize=1)
def _word_tags() -> dict[str, str]:
    """jieba's dictionary of words and their part-of-speech tags (349k words, ~60 MB), loaded once; jieba's
    segmenter (another ~65 MB) is never initialized."""
    import logging
    import warnings

    with warnings.catch_warnings():
        # jieba imports pkg_resources, which newer setuptools deprecates loudly
        warnings.filterwarnings("ignore", message="pkg_resources is deprecated", category=UserWarning)
        import jieba
        import jieba.posseg

    jieba.setLogLevel(logging.WARNING)
    return jieba.posseg.dt.word_tag_tab


def dictionary_tag(zh: str) -> str | None:
    """jieba's tag for the whole Chinese form; a form made only of place words (上海嘉定, 北京海淀) is ns."""
    word = to_simplified(zh.replace(" ", ""))
    tags = _word_tags()
    if word in tags:
        return tags[word]
    parts, i = [], 0
    while i < len(word):  # longest dictionary words first, left to right
        for length in range(min(4, len(word) - i), 1, -1):
            if word[i:i + length] in tags:
                parts.append(tags[word[i:i + length]])
                i += length
                break
        else:
            return None
    return "ns" if parts and all(tag == "ns" for tag in parts) else None


def guess_kind(ko: str | None, zh: str, *, person_bracket: bool, suffix_after: str | None,
               before: str = "", after: str = "") -> str:
    """The kind of the pair ko(zh); `before` and `after` are the text just outside the name and bracket."""
    if person_bracket:
        return "person"
    shaped = person_name_shape(zh)
    if shaped and (_title_before(before) or _title_after(after)):
        return "person"
    kind = _ending_kind(ko or "", zh, suffix_after)
    if kind:
        return kind
    if re.search(r"[「『《〈]\s*$", before):
        return "doc"
    if ko and not has_hangul(ko):
        return "org"  # a Latin name glossed in Chinese is almost always a company or brand (ZTE(中兴))
    if sum(1 for c in zh if is_han(c)) == 1:
        return "term"  # a word glossed by one character: 질(質), 현(縣), 위안(元)
    tag = dictionary_tag(zh)
    if tag == "t":
        return "place"  # a time word that is a name is an era or dynasty (南宋); holidays end in 节 above
    if tag == "ns":
        return "place"
    kind = _classifier_before(before)
    if kind:
        return kind
    if ko and _is_sino_korean_word(ko, zh) and not shaped:
        return "term"
    if shaped and (tag is None or tag.startswith("nr")):
        return "person"
    if ko and " " in ko.strip():
        return "term"  # a phrase of Korean words is a translated term (정서 가치, 중국식 현대화)
    if tag is not None:
        if tag in _DICTIONARY_KIND:
            return _DICTIONARY_KIND[tag]
        if tag.startswith(("n", "v", "a", "i", "l")):
            return "term"
    # A Chinese form no dictionary knows, written in Korean by its sound (미쉐빙청, 즈우): in press about
    # China that is most often a company or brand; a term is translated or read in Sino-Korean instead.
    return "org"


def _title_before(before: str) -> bool:
    """창업자 장쥔제, 이퀄오션 총재 왕빈, 청년교류센터 당서기, 왕치: a title word right before the name."""
    m = re.search(r"(\S+?)[ ,]*$", before)
    return bool(m) and is_title(m.group(1))


def _title_after(after: str) -> bool:
    """리뎬쉰(李殿勳) 성장은, 청위췬(曾毓群) 회장: a title as the next word (after a space)."""
    m = re.match(r"[ \u3000]+([\uac00-\ud7a3A-Z]+)", after)
    if not m:
        return False
    word = m.group(1)
    return is_title(word) or any(is_title(word[:-k]) for k in (1, 2) if len(word) > k + 1)
