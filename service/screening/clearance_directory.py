"""Which parties have any live clearance at all, kept in memory by each replica.

Most screenings with matches are of parties nobody has cleared; for them the directory answers
"no clearance here" without a store read. A party the directory names is looked up in the store
as before, so revocation, expiry and a changed list entry take effect at once.

The directory is reloaded every few seconds (and learns at once of clearances made through this
replica). A clearance made through another replica is therefore applied here within one reload:
until then the match is reported as not cleared, the stricter answer, never the laxer one.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Engine, select
from sqlmodel import col

from service.folding import party_name_key
from service.screening.clearances import is_live
from service.screening.tables import Clearance
from service.timeutil import utc_now


class ClearanceDirectory:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        # None until the first load: then every party is looked up in the store.
        self._references: frozenset[str] | None = None
        self._name_keys: frozenset[str] = frozenset()

    def reload(self) -> None:
        """Read the references and name keys of all live clearances (blocking: call it off the event loop)."""
        statement = select(col(Clearance.reference), col(Clearance.name_key)).where(is_live(utc_now()))
        with self._engine.connect() as connection:
            rows = connection.execute(statement).all()
        name_keys = frozenset(name_key for _, name_key in rows if name_key)
        self._references, self._name_keys = frozenset(reference for reference, _ in rows if reference), name_keys

    def learn(self, clearances: Sequence[Clearance]) -> None:
        """Clearances made through this replica apply to its next screening at once."""
        if self._references is None:
            return
        self._references = self._references | {clearance.reference for clearance in clearances if clearance.reference}
        self._name_keys = self._name_keys | {clearance.name_key for clearance in clearances if clearance.name_key}

    def may_clear(self, parties: Sequence[tuple[str | None, str]]) -> bool:
        """False when none of these parties (reference, name) can have a live clearance."""
        references = self._references
        if references is None:
            return True
        name_keys = self._name_keys
        for reference, name in parties:
            if reference is not None and reference in references:
                return True
            if name_keys and party_name_key(name) in name_keys:
                return True
        return False
