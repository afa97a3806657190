"""An app factory for ASGI servers: ``uvicorn --factory ims.api.asgi:app``.

The configuration comes from the environment, as for the CLI: ``IMS_CONFIG`` (the
root file; default ``./config/ims.yaml``), ``IMS_DATABASE_URL`` and the other
``IMS_*`` overrides.  ``ims serve`` runs this factory in every worker process.
"""

from __future__ import annotations

import os

from litestar import Litestar

from ims.api.app import create_app


def app() -> Litestar:
    """A new IMS from the environment, and the HTTP API over it (closed on shutdown)."""
    from ims.facade import IMS

    ims = IMS.from_config(
        os.environ.get("IMS_CONFIG"), database_url=os.environ.get("IMS_DATABASE_URL") or None
    )
    application = create_app(ims)
    application.on_shutdown.append(ims.close)
    return application
