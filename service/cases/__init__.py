"""Review cases: screenings that are not `clear` become cases a reviewer decides, with an immutable history.

Layers, each importing only those below it: `states` and `tables` (the vocabulary and the store),
`grouping` (one party on several lists), `intake` (cases opened from the audit trail's stored
screenings), `reopening` (after list updates), `decisions` and `bulk` (reviewers' decisions, reusing
the clearances of service.screening), `queries` and `export` (reading), `schemas` and `routes` (the API).
Screening knows nothing of cases: `intake.install` registers a listener on the audit trail.
"""
