"""Safe XML reading for the XML list formats (EU FSF, UN, Canada SEMA, OFAC XML ...).

Everything goes through defusedxml with DTDs forbidden: no official list ships a DOCTYPE, so a
file that has one is either tampered with or not the list, and refusing DTDs outright stops
entity-expansion bombs ("billion laughs") and external entities (local file or network reads)
before any expansion happens. Every failure becomes a `ListFileError` naming the file, so a
corrupt or truncated download never yields a partial list.
"""

from __future__ import annotations

import io
from collections.abc import Collection, Iterator
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as DefusedET
from defusedxml import DefusedXmlException

from service.errors import ListFileError
from service.sources.parsers.base import SourceFile


def strip_ns(tag: str) -> str:
    """`{http://eu.europa.ec/fpi/fsd/export}nameAlias` -> `nameAlias`."""
    return tag.rsplit("}", 1)[-1]


def _error(file: SourceFile, error: Exception) -> ListFileError:
    if isinstance(error, DefusedXmlException):
        return ListFileError(f"{file.name}: unsafe XML refused ({type(error).__name__}: {error})")
    return ListFileError(f"{file.name}: not well-formed XML, the file is corrupt or truncated ({error})")


def parse_xml(file: SourceFile) -> Element:
    """The root element of a whole document; for files of a few MB (the full tree stays in memory)."""
    try:
        root: Element = DefusedET.fromstring(file.content, forbid_dtd=True)
    except (ParseError, DefusedXmlException) as error:
        raise _error(file, error) from error
    return root


def iter_xml(file: SourceFile, record_tags: Collection[str]) -> Iterator[Element]:
    """Stream a large document: the root element first, then each record element once it is complete.

    The root is yielded on its start event, so its attributes (generation dates) are there but
    its children are not. Records are matched on their local name (namespace stripped) and
    cleared after the caller has handled them, so memory stays flat on the 24 MB EU file; the
    caller must copy what it needs before asking for the next one. A record nested in another
    record is yielded too, so pick tags that do not nest.
    """
    events = DefusedET.iterparse(io.BytesIO(file.content), events=("start", "end"), forbid_dtd=True)
    seen_root = False
    try:
        for event, element in events:
            if not seen_root:
                seen_root = True
                yield element
                continue
            if event == "end" and strip_ns(element.tag) in record_tags:
                yield element
                element.clear()
    except (ParseError, DefusedXmlException) as error:
        raise _error(file, error) from error
    if not seen_root:
        raise ListFileError(f"{file.name}: empty XML document")
