"""The exceptions a user (or a program) can act on; the CLI turns every KozhError into `kozh: error: ...`, exit 2.

Catch a subclass to tell the causes apart without matching message text."""


class KozhError(Exception):
    """A user-facing error: bad input, unusable database, conflicting curation. The message is the whole story."""


class DatabaseError(KozhError):
    """The glossary database cannot be used: missing, not SQLite, corrupt, read-only, locked, too new."""


class InputError(KozhError):
    """An input file or argument is unusable: unreadable, bad format, unknown value."""


class CurationError(KozhError):
    """A curation op does not apply: unknown or ambiguous entity, alias already there, conflicting edit."""
