"""The interactive API documentation at /docs, served with its assets by the app itself.

FastAPI's default page loads Swagger UI from a CDN, so an offline or air-gapped install showed a
blank page. The assets (Swagger UI 5, which reads OpenAPI 3.1) come from the `fastapi-offline`
package instead, and the page starts Swagger UI from a script file of ours rather than inline script,
so that its Content-Security-Policy allows scripts from this origin only.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

import fastapi_offline
from fastapi import FastAPI
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles

STATIC_DIR = Path(__file__).parent / "static"
VENDOR_DIR = Path(fastapi_offline.__file__).parent / "static"
VENDOR_ASSETS = "/static/vendor"
# Swagger UI sets styles from its scripts; scripts stay same-origin only.
DOCS_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:;"
    " frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)


def _swagger_page(title: str, openapi_url: str) -> str:
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{escape(title)}</title>
<link rel="icon" type="image/png" href="{VENDOR_ASSETS}/favicon.png">
<link rel="stylesheet" href="{VENDOR_ASSETS}/swagger-ui.css">
</head>
<body>
<div id="swagger-ui" data-openapi-url="{escape(openapi_url)}"></div>
<script src="{VENDOR_ASSETS}/swagger-ui-bundle.js"></script>
<script src="/static/docs-init.js"></script>
</body>
</html>
"""


def install_api_docs(app: FastAPI) -> None:
    """/docs from local assets, and / leading to the workbench. Create the app with `docs_url=None` and
    `redoc_url=None` (ReDoc loads its logo from a CDN whatever it is given)."""
    app.mount(VENDOR_ASSETS, StaticFiles(directory=str(VENDOR_DIR)), name="vendor-assets")
    app.mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static")
    openapi_url = app.openapi_url or "/openapi.json"
    headers = {"Content-Security-Policy": DOCS_CSP, "X-Frame-Options": "DENY"}
    swagger = _swagger_page(f"{app.title} - API", openapi_url)

    @app.get("/docs", include_in_schema=False)
    async def api_docs() -> HTMLResponse:
        return HTMLResponse(swagger, headers=headers)

    @app.get("/", include_in_schema=False)
    async def home() -> RedirectResponse:
        return RedirectResponse("/ui/", status_code=307)  # the workbench; it asks to sign in first
