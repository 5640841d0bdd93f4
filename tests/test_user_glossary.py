"""Without --db or $KOZH_DB, reads use the shipped glossary and edits go to the user's own glossary in the
user data folder; the installed file is never written, and a newer shipped glossary is taken over with the
user's edits kept."""
from __future__ import annotations

import hashlib
import json
import sqlite3
from importlib import metadata
from pathlib import Path

import pytest
from click.testing import CliRunner
from packaging.requirements import Requirement

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

import cli
from glossary.shipped import SHIPPED_STATE, default_db_path, shipped_db_path, user_db_path

ROOT = Path(__file__).resolve().parents[1]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run(*args: str) -> str:
    result = CliRunner().invoke(cli.main, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture
def user_home(tmp_path, monkeypatch) -> Path:
    monkeypatch.delenv("KOZH_DB", raising=False)
    monkeypatch.setenv("KOZH_HOME", str(tmp_path / "kozh-home"))
    return tmp_path / "kozh-home"


def test_reads_use_the_shipped_glossary_and_leave_nothing_beside_it(user_home):
    shipped = shipped_db_path()
    before = sha256(shipped)
    siblings = set(shipped.parent.iterdir())
    assert default_db_path() == shipped
    assert "宁德时代" in run("lookup", "CATL")
    assert run("stats").startswith("entities")
    assert sha256(shipped) == before
    assert set(shipped.parent.iterdir()) == siblings  # no -wal / -shm files
    assert not user_home.exists()


def test_an_edit_goes_to_the_user_glossary_and_survives_a_newer_shipped_one(user_home):
    shipped = shipped_db_path()
    before = sha256(shipped)
    entity = run("add", "--kind", "org", "--ko", "가나다테크", "--en", "Ganada Tech", "加纳达科技").strip()
    assert user_db_path() == user_home / "aliases.sqlite" and user_db_path().exists()
    assert sha256(shipped) == before
    card = json.loads(run("lookup", "--json", "가나다테크"))
    assert card["id"] == entity

    # an upgrade of kozh ships a different glossary: the next command takes it over and replays the edit
    conn = sqlite3.connect(user_db_path())
    conn.execute("UPDATE meta SET value = 'an older shipped glossary' WHERE key = ?", (SHIPPED_STATE,))
    conn.execute("DELETE FROM aliases WHERE text = 'Ganada Tech'")  # as if the reference lost it
    conn.commit()
    conn.close()
    card = json.loads(run("lookup", "--json", "Ganada Tech"))
    assert card["id"] == entity
    conn = sqlite3.connect(user_db_path())
    state = conn.execute("SELECT value FROM meta WHERE key = ?", (SHIPPED_STATE,)).fetchone()[0]
    conn.close()
    shipped_conn = sqlite3.connect(f"file:{shipped}?mode=ro&immutable=1", uri=True)
    assert state == shipped_conn.execute("SELECT value FROM meta WHERE key = 'linked_state'").fetchone()[0]
    shipped_conn.close()


def test_kozh_db_still_overrides(user_home, tmp_path, monkeypatch):
    monkeypatch.setenv("KOZH_DB", str(tmp_path / "mine.sqlite"))
    assert default_db_path(write=True) == tmp_path / "mine.sqlite"
    assert not user_home.exists()


TEST_TOOLS = {"pytest", "pytest-cov", "coveralls", "coverage", "schemathesis", "hypothesis", "httpx"}


def _tree(name: str, seen: set[str]) -> None:
    key = name.lower().replace("_", "-")
    if key in seen:
        return
    seen.add(key)
    try:
        requires = metadata.requires(name) or []
    except metadata.PackageNotFoundError:
        return
    for line in requires:
        req = Requirement(line)
        if req.marker is None or req.marker.evaluate({"extra": ""}):
            _tree(req.name, seen)


def test_the_runtime_install_carries_no_test_tools():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    seen: set[str] = set()
    for line in project["dependencies"]:
        req = Requirement(line)
        if req.marker is None or req.marker.evaluate():
            _tree(req.name, seen)
    assert "kiwipiepy" in seen and "platformdirs" in seen
    assert not seen & TEST_TOOLS, sorted(seen & TEST_TOOLS)
