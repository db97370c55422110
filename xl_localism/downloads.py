"""Files the add-in server has made for one user, kept a few minutes for the task pane to fetch.

"Draft position statement" runs in the add-in server on the workbook data the task pane sent; it
also builds the Word draft from that same data and leaves it here under a random token. The task
pane then offers ``/localism/statement/<token>`` as a download (:mod:`xl_localism.server`).

The token is the only key: 32 random bytes, unguessable, so a link works in any browser (Excel
desktop opens it in the system browser, which has no add-in session). A file is kept for
:data:`KEEP_SECONDS` and at most :data:`MAX_FILES` are kept, oldest dropped first, so memory stays
bounded. The store lives in the server process: ``xl-localism serve`` runs one.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

KEEP_SECONDS = 10 * 60
MAX_FILES = 64
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@dataclass(frozen=True)
class Download:
    filename: str
    media_type: str
    data: bytes
    expires: float


class DownloadStore:
    """Bytes under random tokens, each for a few minutes. Safe to use from several threads."""

    def __init__(self, keep_seconds: float = KEEP_SECONDS, max_files: int = MAX_FILES) -> None:
        self.keep_seconds = keep_seconds
        self.max_files = max_files
        self._files: OrderedDict[str, Download] = OrderedDict()
        self._lock = threading.Lock()

    def put(self, data: bytes, filename: str, media_type: str = DOCX) -> str:
        token = secrets.token_urlsafe(32)
        now = time.monotonic()
        with self._lock:
            self._drop_expired(now)
            while len(self._files) >= self.max_files:
                self._files.popitem(last=False)
            self._files[token] = Download(filename, media_type, data, now + self.keep_seconds)
        return token

    def get(self, token: str) -> Download | None:
        with self._lock:
            self._drop_expired(time.monotonic())
            return self._files.get(token)

    def _drop_expired(self, now: float) -> None:
        for token in [t for t, f in self._files.items() if f.expires <= now]:
            del self._files[token]


STORE = DownloadStore()
