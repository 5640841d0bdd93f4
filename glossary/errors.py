"""The one exception kind the CLI turns into `kozh: error: ...` and exit 2."""


class KozhError(Exception):
    """A user-facing error: bad input, unusable database, conflicting curation. The message is the whole story."""
