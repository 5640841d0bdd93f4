"""What a character is: Hangul, Han, Latin; and which brackets pair with which."""

OPEN_TO_CLOSE = {"(": ")", "（": "）", "[": "]", "【": "】"}
CLOSE_TO_OPEN = {v: k for k, v in OPEN_TO_CLOSE.items()}


def is_hangul_syllable(ch: str) -> bool:
    return "\uac00" <= ch <= "\ud7a3"


def is_hangul(ch: str) -> bool:
    """Syllables plus conjoining and compatibility jamo (typos like 굮 are syllables; lone ㄱ is jamo)."""
    o = ord(ch)
    return 0xAC00 <= o <= 0xD7A3 or 0x1100 <= o <= 0x11FF or 0x3130 <= o <= 0x318F


def is_han(ch: str) -> bool:
    """CJK unified ideographs incl. extension A-G and compatibility ideographs (靑 is U+9751, in the main block)."""
    o = ord(ch)
    return (
        0x4E00 <= o <= 0x9FFF
        or 0x3400 <= o <= 0x4DBF
        or 0x20000 <= o <= 0x323AF
        or 0xF900 <= o <= 0xFAFF
        or 0x2F800 <= o <= 0x2FA1F
    )


def is_latin(ch: str) -> bool:
    return ("A" <= ch <= "Z") or ("a" <= ch <= "z") or ("\uff21" <= ch <= "\uff3a") or ("\uff41" <= ch <= "\uff5a")


def has_han(text: str) -> bool:
    return any(is_han(c) for c in text)


def has_hangul(text: str) -> bool:
    return any(is_hangul(c) for c in text)


def has_latin(text: str) -> bool:
    return any(is_latin(c) for c in text)
