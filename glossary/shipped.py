"""Where the shipped glossary lives: data/aliases.sqlite and data/curated/*.csv, installed as package `kozh_data`."""
from __future__ import annotations

import os
from importlib.resources import files
from pathlib import Path


def data_dir() -> Path:
    """The data/ folder of the checkout (editable install) or of the installed package."""
    return Path(str(files("kozh_data")))


def default_db_path() -> Path:
    """$KOZH_DB if set, else the shipped data/aliases.sqlite."""
    env = os.environ.get("KOZH_DB")
    return Path(env) if env else data_dir() / "aliases.sqlite"


def curated_files() -> list[Path]:
    return sorted((data_dir() / "curated").glob("*.csv"))
