"""Which hits of one case are the same listed party on several lists, so that one decision covers them.

Entries are linked by what names one party whichever publisher lists it:
- the OFAC entity number: the SDN and non-SDN lists share it, and the CSL's Treasury rows use it as `_id`;
- the UN reference: the UN list's own id, the "UN Reference Number" identifier the EU and UK lists
  carry, and the "(UN Ref):" the UK (OFSI) list states for an entry's own reference (not the
  references its remarks cite for other entries);
- the OFSI group id (the OFSI list's id, an identifier on the FCDO list);
- passport and national-id numbers, and IMO numbers;
- the full listed name, when it has at least `MIN_LINK_PARTS` distinct parts and the entries come
  from different lists: the same screened party matched both, so namesakes are already unlikely
  (two entries of one name on one list are two people, and are never linked by it).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from service.folding import party_name_key
from service.matching.attributes import normalise_identifier
from service.matching.linking import MIN_LINK_PARTS

OFAC_SOURCES = frozenset({"us_ofac_sdn", "us_ofac_cons"})
# The CSL's sub-list codes (its first program) for rows that come from OFAC: their `_id` is the ent_num.
CSL_OFAC_CODES = frozenset({"SDN", "SSI", "FSE", "PLC", "CAP", "CMIC", "MBS"})
_OWN_UN_REFERENCE = re.compile(r"\(UN Ref\):\s*([A-Z]{2}[ie]\.\d{1,3})")
_IMO = re.compile(r"\b\d{7}\b")
_DOCUMENT_TYPES = ("passport", "national id", "national identification", "identity card", "cedula", "nif")
NAME_KEY = "name:"


def link_keys(source: str, document: dict[str, Any]) -> list[str]:
    """The keys linking this stored list entry to entries of other lists."""
    entity_id = str(document.get("entity_id", ""))
    programs = document.get("programs") or []
    keys: set[str] = set()
    if source in OFAC_SOURCES or (source == "us_trade_csl" and programs and programs[0] in CSL_OFAC_CODES):
        keys.add("ofac:" + entity_id)
    if source == "un_sc_sanctions":
        keys.add("un:" + entity_id)
    if source == "gb_hmt_sanctions":
        keys.add("ofsi:" + entity_id)
        keys.update("un:" + reference for reference in _OWN_UN_REFERENCE.findall(document.get("remarks") or ""))
    for identifier in document.get("identifiers") or []:
        kind = str(identifier.get("type", "")).lower()
        value = str(identifier.get("value", "")).strip()
        if kind == "un reference number" and value:
            keys.add("un:" + value)
        elif kind == "ofsi group id" and value:
            keys.add("ofsi:" + value)
        elif "imo" in kind or "vessel registration" in kind:
            keys.update("imo:" + number for number in _IMO.findall(value))
        elif any(word in kind for word in _DOCUMENT_TYPES):
            number = normalise_identifier(value)
            if len(number) >= 6 and not number.isalpha():
                keys.add(f"doc:{identifier.get('country') or ''}:{number}")
    name_parts = party_name_key(str(document.get("name", ""))).split()
    if len(set(name_parts)) >= MIN_LINK_PARTS:
        keys.add(NAME_KEY + " ".join(sorted(set(name_parts))))
    return sorted(keys)


def group_hits(hits: Sequence[tuple[int, str, Sequence[str]]]) -> dict[int, int]:
    """hit id -> group id (the smallest hit id of its group), for (hit id, source, link keys) rows."""
    parent = {hit_id: hit_id for hit_id, _, _ in hits}

    def root(item: int) -> int:
        while parent[item] != item:
            parent[item] = parent[parent[item]]
            item = parent[item]
        return item

    holders: dict[str, list[tuple[int, str]]] = {}
    for hit_id, source, keys in hits:
        for key in keys:
            for other_id, other_source in holders.setdefault(key, []):
                if key.startswith(NAME_KEY) and other_source == source:
                    continue  # one name twice on one list: two people
                low, high = sorted((root(hit_id), root(other_id)))
                parent[high] = low
            holders[key].append((hit_id, source))
    return {hit_id: root(hit_id) for hit_id in parent}
