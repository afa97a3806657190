"""``ims serve``: the HTTP API on uvicorn (``pip install 'ims[api]'``)."""

from __future__ import annotations

import os

import click

from ims.cli._common import State, handle_errors, pass_state


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (0.0.0.0: all).")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Worker processes (each counts the rate limit on its own unless a shared store is set up).",
)
@click.option(
    "--log-level",
    type=click.Choice(["critical", "error", "warning", "info", "debug"]),
    default="info",
    show_default=True,
)
@click.option("--no-access-log", is_flag=True, help="Do not log every request.")
@pass_state
@handle_errors
def serve(state: State, host: str, port: int, workers: int, log_level: str, no_access_log: bool) -> None:
    """Run the HTTP API (OpenAPI UI under /schema) with uvicorn.

    The configuration is checked and the database opened once before the workers
    start, so a mistake is reported here, as by every other command.
    """
    try:
        import jwt  # noqa: F401  (PyJWT)
        import litestar  # noqa: F401
        import uvicorn
    except ImportError as exc:
        raise click.ClickException(
            f"the HTTP API needs its extra: pip install 'ims[api]' ({exc.name} is missing)"
        ) from None
    with state.ims() as instance:  # fail early and clearly: config, plugins, database, migrations
        url = instance.db.url.render_as_string(hide_password=False)
    if state.config_path:
        os.environ["IMS_CONFIG"] = os.path.abspath(state.config_path)
    os.environ["IMS_DATABASE_URL"] = url
    click.echo(f"ims API on http://{host}:{port} (schema: http://{host}:{port}/schema), {workers} worker(s)")
    uvicorn.run(
        "ims.api.asgi:app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=log_level,
        access_log=not no_access_log,
        server_header=False,
    )
