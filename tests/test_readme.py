"""Every README block marked `<!-- output checked by tests/test_readme.py -->` is run: each `$ kozh ...` line
(optionally `echo TEXT | kozh ...`) against the shipped glossary, its output compared with the lines below
it. A line `…` stands for any number of lines (an abridged listing). So a shown output cannot drift."""
from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

import cli

ROOT = Path(__file__).resolve().parents[1]
MARK = "<!-- output checked by tests/test_readme.py -->"


def checked_commands() -> list[tuple[str, list[str]]]:
    text = (ROOT / "README.md").read_text("utf-8")
    out = []
    for block in re.findall(re.escape(MARK) + r"\s*```[^\n]*\n(.*?)```", text, flags=re.S):
        for chunk in re.split(r"^(?=\$ )", block, flags=re.M):
            if chunk.startswith("$ "):
                command, *expected = chunk.rstrip("\n").split("\n")
                out.append((command[2:], expected))
    return out


def matches(lines: list[str], expected: list[str]) -> bool:
    if not expected:
        return not lines
    if expected[0].strip() == "…":
        return any(matches(lines[i:], expected[1:]) for i in range(len(lines) + 1))
    return bool(lines) and lines[0] == expected[0] and matches(lines[1:], expected[1:])


def test_the_readme_has_checked_blocks():
    assert len(checked_commands()) >= 2


@pytest.mark.parametrize("command, expected", checked_commands(), ids=lambda v: v if isinstance(v, str) else "")
def test_readme_output(command, expected, monkeypatch, tmp_path):
    monkeypatch.delenv("KOZH_DB", raising=False)
    monkeypatch.setenv("KOZH_HOME", str(tmp_path))  # no user glossary: the shipped one
    monkeypatch.chdir(ROOT)
    stdin = None
    if " | " in command:
        feed, command = command.split(" | ", 1)
        stdin = " ".join(shlex.split(feed)[1:]) + "\n"
    args = shlex.split(command)
    assert args[0] == "kozh"
    result = CliRunner().invoke(cli.main, args[1:], input=stdin)
    assert matches(result.output.splitlines(), expected), result.output
