import os
import unicodedata

import pytest

from glossary.text import LineIndex, TextError, decode, read_text

MIXED = "닝더스다이(宁德时代)는 지아딩(嘉定)에 있다.\n"
KOREAN_HANJA = "북경(北京)에서 회의가 열렸다.\n"
CHINESE = "宁德时代新能源科技股份有限公司位于福建省宁德市。"
KOREAN_PROSE = (
    "서울특별시는 대한민국의 수도이며 최대 도시이다. 한강을 사이에 두고 강북과 강남으로 나뉜다.\n"
    "조선(朝鮮)의 도읍이었던 한양(漢陽)이 오늘날 서울의 중심부가 되었다.\n"
)
CHINESE_PROSE = (
    "宁德时代是一家中国的电池制造商，总部位于福建省宁德市。\n"
    "公司成立于2011年，主要从事动力电池系统的研发、生产和销售。\n"
)


def write(tmp_path, name, data: bytes):
    p = tmp_path / name
    p.write_bytes(data)
    return p


# --- encodings --------------------------------------------------------------

ENCODED = [
    ("utf8", MIXED.encode("utf-8"), MIXED, "utf-8"),
    ("utf8-bom", b"\xef\xbb\xbf" + MIXED.encode("utf-8"), MIXED, "utf-8-sig"),
    ("utf16le-bom", b"\xff\xfe" + MIXED.encode("utf-16-le"), MIXED, "utf-16"),
    ("utf16be-bom", b"\xfe\xff" + MIXED.encode("utf-16-be"), MIXED, "utf-16"),
    ("utf32le-bom", b"\xff\xfe\x00\x00" + MIXED.encode("utf-32-le"), MIXED, "utf-32"),
    ("utf32be-bom", b"\x00\x00\xfe\xff" + MIXED.encode("utf-32-be"), MIXED, "utf-32"),
    ("cp949", KOREAN_HANJA.encode("cp949"), KOREAN_HANJA, "cp949"),
    ("euc-kr", KOREAN_PROSE.encode("euc-kr"), KOREAN_PROSE, "cp949"),
    ("cp949-uhc", "똠방각하 뷁 햏\n".encode("cp949"), "똠방각하 뷁 햏\n", "cp949"),
    ("gb18030", CHINESE.encode("gb18030"), CHINESE, "gb18030"),
    ("gb2312", CHINESE_PROSE.encode("gb2312"), CHINESE_PROSE, "gb18030"),
]


@pytest.mark.parametrize("name,data,expected,encoding", ENCODED, ids=[e[0] for e in ENCODED])
def test_decode_each_encoding(name, data, expected, encoding):
    assert decode(data) == (expected, encoding)


@pytest.mark.parametrize("name,data,expected,encoding", ENCODED, ids=[e[0] for e in ENCODED])
def test_read_text_each_encoding(tmp_path, name, data, expected, encoding):
    assert read_text(write(tmp_path, f"{name}.txt", data)) == expected
    assert read_text(str(tmp_path / f"{name}.txt")) == expected


def test_korean_legacy_is_ambiguous_and_cp949_wins():
    data = KOREAN_HANJA.encode("cp949")
    assert data.decode("gb18030") == "合版(萘倘)俊辑 雀狼啊 凯啡促.\n"  # both decode strictly
    assert decode(data) == (KOREAN_HANJA, "cp949")


def test_chinese_legacy_is_ambiguous_and_gb18030_wins():
    data = CHINESE.encode("gb18030")
    assert data.decode("cp949").startswith("퀼돠珂덜")  # both decode strictly
    assert decode(data) == (CHINESE, "gb18030")


def test_chinese_that_cp949_cannot_decode():
    data = CHINESE_PROSE.encode("gb18030")
    with pytest.raises(UnicodeDecodeError):
        data.decode("cp949")
    assert decode(data) == (CHINESE_PROSE, "gb18030")


def test_empty_and_bom_only():
    assert decode(b"") == ("", "utf-8")
    assert decode(b"\xef\xbb\xbf") == ("", "utf-8-sig")
    assert decode(b"\xff\xfe") == ("", "utf-16")


# --- normalization ------------------------------------------------------------


def test_nfd_hangul_becomes_nfc(tmp_path):
    nfd = unicodedata.normalize("NFD", "한국어 닝더스다이")
    assert len(nfd) == 20
    p = write(tmp_path, "nfd.txt", nfd.encode("utf-8"))
    assert read_text(p) == "한국어 닝더스다이"
    assert len(read_text(p)) == 9


def test_nfd_in_utf16_becomes_nfc():
    nfd = unicodedata.normalize("NFD", "가나")
    assert decode(b"\xff\xfe" + nfd.encode("utf-16-le")) == ("가나", "utf-16")


def test_crlf_and_lone_cr_become_lf(tmp_path):
    p = write(tmp_path, "crlf.txt", "첫째 줄\r\n둘째 줄\r\n".encode("utf-8"))
    assert read_text(p) == "첫째 줄\n둘째 줄\n"
    assert decode(b"a\rb\r\nc\n\rd") == ("a\nb\nc\n\nd", "utf-8")
    assert decode("북경\r\n".encode("cp949")) == ("북경\n", "cp949")


# --- refusals -----------------------------------------------------------------


def test_png_is_binary(tmp_path):
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00"
    with pytest.raises(TextError, match="binary") as exc:
        read_text(write(tmp_path, "image.png", png))
    assert str(exc.value) == "binary file (NUL bytes at offset 8)"


def test_ascii_with_nul_is_binary_even_though_valid_utf8():
    with pytest.raises(TextError) as exc:
        decode(b"hello\x00world")
    assert str(exc.value) == "binary file (NUL bytes at offset 5)"


def test_utf16_without_bom_is_refused_with_hint():
    with pytest.raises(TextError) as exc:
        decode("plain ascii text, no byte-order mark".encode("utf-16-le"))
    assert str(exc.value) == "binary file (NUL bytes at offset 1; UTF-16 without a byte-order mark?)"


def test_many_control_bytes_is_binary():
    data = b"ab\x01\x02\x03cd\x04\x05\x06\x07ef" * 10
    with pytest.raises(TextError) as exc:
        decode(data)
    assert str(exc.value) == "binary file (70 of 130 bytes are control characters)"


def test_occasional_escape_byte_is_still_text():
    data = b"\x1b[1m" + "굵은 글씨".encode("utf-8") + b"\x1b[0m and a long enough plain ascii tail"
    assert decode(data) == ("\x1b[1m굵은 글씨\x1b[0m and a long enough plain ascii tail", "utf-8")


def test_invalid_bytes_raise(tmp_path):
    p = write(tmp_path, "junk.bin", b"\xfd\xfe\xff" * 40)
    with pytest.raises(TextError) as exc:
        read_text(p)
    assert str(exc.value) == "cannot decode: not UTF-8, UTF-16, CP949/EUC-KR or GB18030"


def test_lone_high_bytes_raise():
    with pytest.raises(TextError, match="cannot decode"):
        decode(b"\x80\xff" * 50)


def test_japanese_shift_jis_is_refused_not_mangled():
    text = "日本語のテキストです。これはシフトJISで書かれています。ひらがなとカタカナが多いです。\n" * 3
    with pytest.raises(TextError) as exc:
        decode(text.encode("shift_jis"))
    assert str(exc.value) == "cannot decode: not UTF-8, UTF-16, CP949/EUC-KR or GB18030"


def test_damaged_utf8_is_reported_not_read_as_legacy():
    good = ("서울특별시와 닝더스다이(宁德时代) " * 20).encode("utf-8")
    data = good + b"\xff" + good
    with pytest.raises(TextError) as exc:
        decode(data)
    assert str(exc.value) == f"cannot decode: invalid UTF-8 at byte {len(good)}"


def test_invalid_utf16_after_bom():
    with pytest.raises(TextError) as exc:
        decode(b"\xff\xfe" + b"\x00\xd8" + b"a\x00")  # lone high surrogate
    assert str(exc.value).startswith("cannot decode: invalid UTF-16 after the byte-order mark")


def test_missing_file(tmp_path):
    with pytest.raises(TextError) as exc:
        read_text(tmp_path / "nope.txt")
    assert str(exc.value) == "no such file"


def test_directory(tmp_path):
    with pytest.raises(TextError) as exc:
        read_text(tmp_path)
    assert str(exc.value) == "is a directory"


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root reads everything")
def test_permission_denied(tmp_path):
    p = write(tmp_path, "secret.txt", b"x")
    p.chmod(0)
    try:
        with pytest.raises(TextError) as exc:
            read_text(p)
        assert str(exc.value) == "permission denied"
    finally:
        p.chmod(0o600)


@pytest.mark.parametrize(
    "error,message",
    [
        (PermissionError(13, "Permission denied"), "permission denied"),
        (OSError(5, "Input/output error"), "Input/output error"),
    ],
)
def test_os_errors_map_to_text_error(tmp_path, monkeypatch, error, message):
    import glossary.text as text_module

    def failing_open(*args, **kwargs):
        raise error

    monkeypatch.setattr(text_module.os, "open", failing_open)
    with pytest.raises(TextError) as exc:
        read_text(write(tmp_path, "a.txt", b"x"))
    assert str(exc.value) == message


def test_text_error_is_value_error():
    assert issubclass(TextError, ValueError)


# --- LineIndex ----------------------------------------------------------------

TEXT = "첫 줄이다.\n닝더스다이(宁德时代)\n\n끝"
#       0123456 7    (line 1: 6 chars + \n at 6)
# line 2 starts at 7, "닝더스다이(宁德时代)" is 11 chars, \n at 18
# line 3 is empty, \n at 19; line 4 "끝" at 20


def test_line_col():
    idx = LineIndex(TEXT)
    assert idx.line_col(0) == (1, 1)
    assert idx.line_col(5) == (1, 6)  # '.'
    assert idx.line_col(6) == (1, 7)  # the newline itself ends line 1
    assert idx.line_col(7) == (2, 1)  # right after a newline
    assert TEXT[13] == "宁" and idx.line_col(13) == (2, 7)
    assert idx.line_col(19) == (3, 1)
    assert idx.line_col(20) == (4, 1)  # last char
    assert idx.line_col(21) == (4, 2)  # end of text
    assert idx.line_count == 4


def test_line_col_counts_nfc_characters(tmp_path):
    p = write(tmp_path, "nfd.txt", unicodedata.normalize("NFD", "가나다\n라마").encode("utf-8"))
    text = read_text(p)
    idx = LineIndex(text)
    assert idx.line_col(text.index("마")) == (2, 2)


def test_line_col_out_of_range():
    idx = LineIndex(TEXT)
    with pytest.raises(ValueError):
        idx.line_col(-1)
    with pytest.raises(ValueError):
        idx.line_col(22)


def test_line_text():
    idx = LineIndex(TEXT)
    assert [idx.line_text(n) for n in (1, 2, 3, 4)] == ["첫 줄이다.", "닝더스다이(宁德时代)", "", "끝"]
    with pytest.raises(ValueError):
        idx.line_text(0)
    with pytest.raises(ValueError):
        idx.line_text(5)


def test_line_text_trailing_newline():
    idx = LineIndex("a\nb\n")
    assert idx.line_count == 3
    assert (idx.line_text(2), idx.line_text(3)) == ("b", "")
    assert LineIndex("").line_col(0) == (1, 1)


def test_context():
    idx = LineIndex(TEXT)
    start = TEXT.index("宁德时代")
    end = start + 4
    assert idx.context(start, end, width=3) == "다이(宁德时代)  "
    assert idx.context(start, end) == "첫 줄이다. 닝더스다이(宁德时代)  끝"
    assert idx.context(0, 1, width=0) == "첫"
    assert idx.context(20, 21, width=2) == "  끝"
