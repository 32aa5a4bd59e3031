"""What the contacts search looks in: name, email and company, case-folded by Python (issue 12).

Folding in the database would mean different things on SQLite (its ``lower``
and ``LIKE`` fold ASCII only) and on PostgreSQL (its ``lower`` follows the
server's locale, ASCII only under ``C``). Folding here, when a contact is
written, makes a search find the same contacts on both, in any language:
``MÜLLER`` finds Müller, ``σοφος`` finds ΣΟΦΟΣ, ``STRASSE`` finds Straße.
"""

from __future__ import annotations

import unicodedata

SEPARATOR = "\n"  # between the fields, so a search does not run from one field into the next


def fold(text: str) -> str:
    """``text`` as search compares it: NFKC, Unicode case folding, and İ as a plain i.

    Unicode folds the Turkish capital dotted İ to i plus a combining dot; dropping
    the dot lets ``istanbul`` find İstanbul, as people expect.
    """
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())
    return folded.replace("i\u0307", "i")


def contact_search_text(name: str | None, email: str | None, company: str | None) -> str:
    """The ``contact.search_text`` column (schema 5) for a contact with these fields."""
    return SEPARATOR.join(fold(field or "") for field in (name, email, company))
