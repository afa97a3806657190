"""``ims documents``: upload, list, verify and download documents; clean the store."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import IO

import click

from ims.cli._common import State, echo_table, handle_errors, pass_state
from ims.config.models import label_for


def _ref(value: str) -> int | str:
    """An application's id (digits) or number, as the HTTP API reads them."""
    from ims.services.applications import application_ref

    return application_ref(value)


@click.group("documents")
def documents() -> None:
    """Documents of applications: upload, check, download."""


@documents.command()
@click.argument("ref")
@click.argument("document_type", metavar="TYPE")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--as", "actor", required=True, help="Username acting.")
@click.option("--name", default=None, help="Filename to record (default: FILE's name).")
@pass_state
@handle_errors
def upload(state: State, ref: str, document_type: str, file: Path, actor: str, name: str | None) -> None:
    """Upload FILE as a document of TYPE on application REF."""
    with state.ims() as ims, file.open("rb") as stream:
        doc = ims.documents.upload(_ref(ref), document_type, name or file.name, stream, actor=actor)
    click.echo(f"document {doc.id} uploaded: {doc.filename} ({doc.mime_type}, {doc.size} bytes)")
    click.echo(f"sha256 {doc.sha256}")
    if doc.meta:
        for key, value in doc.meta.items():
            click.echo(f"{key} {value}")


@documents.command("list")
@click.argument("ref")
@pass_state
@handle_errors
def list_documents(state: State, ref: str) -> None:
    """The documents of application REF."""
    with state.ims() as ims:
        rows = [
            {
                "id": d.id,
                "type": d.document_type,
                "filename": d.filename,
                "mime": d.mime_type,
                "size": d.size,
                "status": d.status,
                "by": d.uploaded_by,
                "reason": d.reason,
            }
            for d in ims.documents.list(_ref(ref))
        ]
    echo_table(rows, ["id", "type", "filename", "mime", "size", "status", "by", "reason"])


@documents.command()
@click.argument("ref")
@pass_state
@handle_errors
def checklist(state: State, ref: str) -> None:
    """Every document type for application REF: required now or not, and its status."""
    with state.ims() as ims:
        language = ims.config.settings.language
        rows = [
            {
                "type": item.document_type.code,
                "label": label_for(item.document_type.label, language, item.document_type.code),
                "required": "yes" if item.required else "",
                "status": item.status,
            }
            for item in ims.documents.checklist(_ref(ref))
        ]
    echo_table(rows, ["type", "label", "required", "status"])


@documents.command()
@click.argument("document_id", metavar="ID", type=int)
@click.option("--as", "actor", required=True, help="Username acting.")
@pass_state
@handle_errors
def verify(state: State, document_id: int, actor: str) -> None:
    """Mark document ID verified."""
    with state.ims() as ims:
        doc = ims.documents.verify(document_id, actor=actor)
    click.echo(f"document {doc.id}: {doc.status}")


@documents.command()
@click.argument("document_id", metavar="ID", type=int)
@click.option("--reason", required=True, help="Why (the applicant is told).")
@click.option("--as", "actor", required=True, help="Username acting.")
@pass_state
@handle_errors
def reject(state: State, document_id: int, reason: str, actor: str) -> None:
    """Mark document ID rejected, with a reason."""
    with state.ims() as ims:
        doc = ims.documents.reject(document_id, reason, actor=actor)
    click.echo(f"document {doc.id}: {doc.status}")


@documents.command()
@click.argument("ref")
@click.argument("document_type", metavar="TYPE")
@click.option("--reason", required=True, help="Why it was not supplied.")
@click.option("--as", "actor", required=True, help="Username acting.")
@pass_state
@handle_errors
def missing(state: State, ref: str, document_type: str, reason: str, actor: str) -> None:
    """Record that the document of TYPE was not supplied for application REF."""
    with state.ims() as ims:
        doc = ims.documents.mark_missing(_ref(ref), document_type, actor=actor, reason=reason)
    click.echo(f"document {doc.id}: {doc.status}")


@documents.command()
@click.argument("document_id", metavar="ID", type=int)
@click.option("--as", "actor", required=True, help="Username acting.")
@pass_state
@handle_errors
def token(state: State, document_id: int, actor: str) -> None:
    """Print a signed download token for document ID (valid settings.documents.token_ttl_seconds)."""
    with state.ims() as ims:
        click.echo(ims.documents.download_token(document_id, actor=actor))


@documents.command()
@click.argument("download_token", metavar="TOKEN")
@click.argument("out", type=click.Path(path_type=Path, allow_dash=True))
@pass_state
@handle_errors
def download(state: State, download_token: str, out: Path) -> None:
    """Save the file of TOKEN to OUT (a file, a folder to keep its name, or - for stdout)."""
    with state.ims() as ims:
        view, stream = ims.documents.open_download(download_token)
        with stream:
            if str(out) == "-":
                shutil.copyfileobj(stream, sys.stdout.buffer)
                return
            if out.is_dir():
                out = out / (view.filename or f"document-{view.id}")
            _save(stream, out)
    click.echo(f"saved document {view.id} ({view.filename}, {view.size} bytes) to {out}", err=True)


def _save(stream: IO[bytes], out: Path) -> None:
    """Write to a temporary file next to ``out``, then rename: never a half-written ``out``."""
    fd, temp = tempfile.mkstemp(prefix=f".{out.name}.", dir=out.parent)
    try:
        with os.fdopen(fd, "wb") as target:
            shutil.copyfileobj(stream, target)
        os.replace(temp, out)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


@documents.command()
@click.option("--delete", is_flag=True, help="Delete them (default: only list).")
@click.option(
    "--min-age",
    "min_age",
    type=float,
    default=60,
    show_default=True,
    help="Minutes a blob must have existed: younger ones may belong to an upload in progress.",
)
@pass_state
@handle_errors
def gc(state: State, delete: bool, min_age: float) -> None:
    """List (or delete) stored files that no document references."""
    with state.ims() as ims:
        grace = timedelta(minutes=min_age)
        keys = ims.documents.delete_orphans(grace=grace) if delete else ims.documents.orphans(grace=grace)
    for key in keys:
        click.echo(key)
    verb = "deleted" if delete else "found"
    click.echo(f"{len(keys)} orphan file{'s' if len(keys) != 1 else ''} {verb}", err=True)
