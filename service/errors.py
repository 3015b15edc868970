"""The one error tree of the service; the API renders each as `{"detail", "code"}`.

    ScreeningError (500, internal_error)
    ├── InvalidInput (422, invalid_input)
    │   ├── InvalidSources (422, unknown_source)      `sources` empty or naming no known list
    │   └── SourcesNotLoaded (422, list_unavailable)  `sources` naming a list with no loaded version
    ├── NotFound (404, not_found)
    │   └── UnknownSource (404, unknown_source)
    ├── PayloadTooLarge (413, payload_too_large)
    ├── Conflict (409, conflict)
    │   └── IngestLocked (409, ingest_locked)
    ├── ListUnavailable (503, list_unavailable)
    └── IngestError (422, ingest_failed)
        ├── ListFileError (422, invalid_list_file)   a file that is corrupt, truncated or unsafe
        ├── ListDownloadError (502, download_failed)
        └── ListValidationError (422, validation_failed)   parsed, but failed the sanity checks

The status and code are read from `type(self)`, never captured in a default
argument, so a subclass always renders with its own status.
"""

from __future__ import annotations


class ScreeningError(Exception):
    status_code = 500
    code = "internal_error"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail

    @property
    def status(self) -> int:
        return type(self).status_code

    @property
    def error_code(self) -> str:
        return type(self).code


class InvalidInput(ScreeningError):
    status_code = 422
    code = "invalid_input"


class InvalidSources(InvalidInput):
    code = "unknown_source"


class SourcesNotLoaded(InvalidInput):
    code = "list_unavailable"


class NotFound(ScreeningError):
    status_code = 404
    code = "not_found"


class UnknownSource(NotFound):
    code = "unknown_source"


class PayloadTooLarge(ScreeningError):
    status_code = 413
    code = "payload_too_large"


class Conflict(ScreeningError):
    status_code = 409
    code = "conflict"


class IngestLocked(Conflict):
    code = "ingest_locked"


class ListUnavailable(ScreeningError):
    status_code = 503
    code = "list_unavailable"


class IngestError(ScreeningError):
    status_code = 422
    code = "ingest_failed"


class ListFileError(IngestError):
    code = "invalid_list_file"


class ListDownloadError(IngestError):
    status_code = 502
    code = "download_failed"


class ListValidationError(IngestError):
    code = "validation_failed"
