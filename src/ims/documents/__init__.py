"""Document files: what an upload is, its limits, photo metadata, download links, stores.

Helpers the document service and document-store plugins share, with no database:

* :func:`read_limited` reads an upload in chunks into a temporary file, hashing it
  with SHA-256 and stopping at the first byte past the size limit;
* :func:`sniff` tells the MIME type from the content and checks the filename agrees;
  :func:`check_allowed` applies a whitelist;
* :func:`photo_metadata` reads when and where a photo was taken (EXIF);
* :class:`DownloadTokens` signs and verifies expiring download links, with the key
  from :func:`secret_key`;
* :func:`check_key` and :func:`copy_verified` are for store plugins;
  :func:`open_document_store` picks the configured store.
"""

from __future__ import annotations

from ims.documents._blobs import check_key, copy_verified, is_blob_key
from ims.documents._exif import photo_metadata
from ims.documents._limits import Received, format_size, read_limited
from ims.documents._sniff import HEAD_SIZE, check_allowed, describe, sniff, sniff_type
from ims.documents._stores import open_document_store, store_factories
from ims.documents._tokens import SALT, DownloadClaim, DownloadTokens, secret_key

__all__ = [
    "HEAD_SIZE",
    "SALT",
    "DownloadClaim",
    "DownloadTokens",
    "Received",
    "check_allowed",
    "check_key",
    "copy_verified",
    "describe",
    "format_size",
    "is_blob_key",
    "open_document_store",
    "photo_metadata",
    "read_limited",
    "secret_key",
    "sniff",
    "sniff_type",
    "store_factories",
]
