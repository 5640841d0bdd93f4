"""Fixtures shared by the tests: a small glossary built from data kept in tests/data/glossary, and the
marker of tests that need the development corpora in ../shared (absent in a fresh clone)."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

FIXTURE = Path(__file__).resolve().parent / "data" / "glossary"
SHARED = Path(__file__).resolve().parents[1].parent / "shared"
needs_shared = pytest.mark.skipif(not (SHARED / "eval").is_dir(), reason="../shared (dev corpora and gold) absent")


@pytest.fixture(scope="session")
def fixture_db(tmp_path_factory) -> Path:
    """The fixture glossary, built once; read it only (edit a `glossary_copy`)."""
    from glossary.build import build

    path = tmp_path_factory.mktemp("fixture") / "aliases.sqlite"
    build(path, [FIXTURE / "news.txt"], jobs=1, curated=[FIXTURE / "curated.csv"])
    return path


@pytest.fixture
def glossary_copy(fixture_db, tmp_path) -> Path:
    """A private copy of the fixture glossary, for tests that edit it."""
    path = tmp_path / "aliases.sqlite"
    source, target = sqlite3.connect(fixture_db), sqlite3.connect(path)
    try:
        source.backup(target)
    finally:
        source.close()
        target.close()
    return path
