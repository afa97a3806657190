"""One error shape for every failure: ``{"error": {"code", "message", "details"}}``.

:class:`ims.errors.ImsError` subclasses map to HTTP statuses here (and nowhere else);
Litestar's own exceptions (validation, authentication, body too large, unknown
route, rate limit) get the same envelope.  An unexpected exception is logged with
its traceback and answered with a 500 that says nothing of the internals.
"""

from __future__ import annotations

import logging
from typing import Any

from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.openapi import ResponseSpec
from msgspec import Struct
from sqlalchemy.exc import DataError, StatementError

from ims import errors

log = logging.getLogger("ims.api")


class ErrorDetail(Struct):
    #: a stable, machine-readable code such as ``not-found`` or ``transition-refused``
    code: str
    #: a sentence for people
    message: str
    #: more, depending on the code: ``problems``, ``reasons``, ``fields``...
    details: dict[str, Any] | None = None


class ErrorBody(Struct):
    """The body of every error response."""

    error: ErrorDetail


#: ImsError class -> HTTP status, most specific first
_STATUS: list[tuple[type[errors.ImsError], int]] = [
    (errors.TooLarge, 413),
    (errors.UnsupportedType, 415),
    (errors.ValidationFailed, 422),
    (errors.TransitionRefused, 422),
    (errors.RuleError, 422),
    (errors.NotFound, 404),
    (errors.Conflict, 409),
    (errors.PermissionDenied, 403),
    (errors.StoreError, 503),
    (errors.MissingExtra, 501),
]

#: HTTP status -> the code of Litestar's own exceptions
_HTTP_CODES = {
    400: "bad-request",
    401: "unauthenticated",
    403: "permission-denied",
    404: "not-found",
    405: "method-not-allowed",
    409: "conflict",
    413: "too-large",
    415: "unsupported-type",
    422: "validation-failed",
    429: "rate-limited",
    501: "not-implemented",
    503: "unavailable",
}

DESCRIPTIONS = {
    400: "Bad request: a parameter or the body does not match the schema",
    401: "Not authenticated: no, an expired or an invalid token or API key",
    403: "The caller's roles do not allow this",
    404: "Not found (or not visible to the caller)",
    409: "Conflict: the version given is stale, or the record exists already",
    413: "The request body or the uploaded file is too large",
    415: "The uploaded file's type is not accepted",
    422: "Refused: invalid data, or the workflow's rules refuse the action",
    429: "Too many requests: wait Retry-After seconds",
    501: "This server lacks an optional part the request needs (an extra that is not installed)",
    503: "The database is not available",
}


def error_responses(*statuses: int) -> dict[int, ResponseSpec]:
    """OpenAPI responses for these statuses (plus 400, 401, 429 and 503, which every route can give)."""
    every = sorted({400, 401, 429, 503, *statuses})
    return {
        s: ResponseSpec(data_container=ErrorBody, description=DESCRIPTIONS[s], generate_examples=False)
        for s in every
    }


def status_of(exc: errors.ImsError) -> int:
    for cls, status in _STATUS:
        if isinstance(exc, cls):
            return status
    return 500


def details_of(exc: errors.ImsError) -> dict[str, Any] | None:
    if isinstance(exc, errors.TransitionRefused):
        return {"action": exc.action, "state": exc.state, "reasons": exc.reasons}
    if isinstance(exc, errors.ValidationFailed):
        return {"what": exc.what, "problems": exc.problems}
    return None


def _message(exc: errors.ImsError) -> str:
    if isinstance(exc, errors.TransitionRefused):
        return f"'{exc.action}' is not allowed in state {exc.state}"
    if isinstance(exc, errors.ValidationFailed):
        # one problem: say it (details.problems has it too); several: details.problems lists them
        return f"{exc.what} is not valid" + (f": {exc.problems[0]}" if len(exc.problems) == 1 else "")
    if isinstance(exc, errors.StoreError):
        return "the database is not available; try again later"
    return str(exc)


def envelope(
    status: int,
    code: str,
    message: str,
    details: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> Response[ErrorBody]:
    return Response(
        ErrorBody(ErrorDetail(code, message, details)),
        status_code=status,
        media_type=MediaType.JSON,
        headers=headers,
    )


def ims_error(request: Request[Any, Any, Any], exc: errors.ImsError) -> Response[ErrorBody]:
    if isinstance(exc, errors.StoreError) and isinstance(exc.__cause__, DataError | StatementError):
        # the database refused a value (a NUL character, a number out of range): bad input, not an outage
        return envelope(422, "invalid-input", "a value in the request cannot be stored or searched for")
    status = status_of(exc)
    if isinstance(exc, errors.MissingExtra):
        log.warning("%s %s: %s", request.method, request.url.path, exc)
    elif status >= 500:
        log.error("%s %s failed: %s", request.method, request.url.path, exc, exc_info=exc)
    return envelope(status, exc.code, _message(exc), details_of(exc))


def http_error(request: Request[Any, Any, Any], exc: HTTPException) -> Response[ErrorBody]:
    status = exc.status_code
    details: dict[str, Any] | None = None
    message = exc.detail
    if isinstance(exc, ValidationException) and exc.extra:
        details = {"problems": exc.extra if isinstance(exc.extra, list) else [exc.extra]}
    headers = dict(exc.headers or {})
    if status == 429:
        headers["Retry-After"] = headers.get("RateLimit-Reset", "60")
        message = "too many requests: wait Retry-After seconds"
    if status >= 500:
        log.error("%s %s failed: %s", request.method, request.url.path, exc, exc_info=exc)
        message = "internal error"
    return envelope(status, _HTTP_CODES.get(status, "http-error"), message, details, headers or None)


def unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[ErrorBody]:
    log.error("%s %s failed unexpectedly", request.method, request.url.path, exc_info=exc)
    return envelope(500, "internal-error", "internal error; the server log has the details")


EXCEPTION_HANDLERS: dict[Any, Any] = {
    errors.ImsError: ims_error,
    HTTPException: http_error,
    Exception: unexpected,
}
