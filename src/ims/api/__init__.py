"""The optional HTTP API (``pip install 'ims[api]'``): :func:`create_app` builds it over an IMS.

Run it with ``ims serve``, or mount the returned Litestar (ASGI) application in a
host application.  See ``docs/http-api.md``.
"""

from __future__ import annotations

from ims.api.app import create_app

__all__ = ["create_app"]
