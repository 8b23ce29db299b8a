"""Where bytes come from: a file on disk, or a member of a tar archive, gzipped or not.

A user names files, directories and tar archives; :func:`expand` turns each into the
data files inside (:class:`Blob`), so the readers never care where bytes live.
"""

from __future__ import annotations

import gzip
import io
import tarfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Final

from tailwatch.errors import UnreadableFileError

if TYPE_CHECKING:
    from collections.abc import Iterator

GZIP_MAGIC: Final = b"\x1f\x8b"
HEAD_SIZE: Final = 1 << 16
# Files that travel with data in published archives (OpenSky tars) and are not data.
_NOT_DATA: Final = ("readme", "license", "licence")


@dataclass(frozen=True)
class Blob:
    """One data file: ``name`` is what ``source_file`` says (``archive.tar::member``)."""

    name: str
    path: Path | None = None
    data: bytes | None = field(default=None, repr=False)

    def raw(self) -> bytes:
        """The bytes as stored (maybe gzipped)."""
        if self.data is not None:
            return self.data
        assert self.path is not None
        try:
            return self.path.read_bytes()
        except OSError as exc:
            raise UnreadableFileError(self.name, f"cannot read: {exc.strerror or exc}") from exc

    def head(self, size: int = HEAD_SIZE) -> bytes:
        """The first ``size`` stored bytes."""
        if self.data is not None:
            return self.data[:size]
        assert self.path is not None
        try:
            with self.path.open("rb") as fh:
                return fh.read(size)
        except OSError as exc:
            raise UnreadableFileError(self.name, f"cannot read: {exc.strerror or exc}") from exc

    @property
    def gzipped(self) -> bool:
        return self.head(2) == GZIP_MAGIC

    def content(self) -> bytes:
        """All bytes, gunzipped if needed; a truncated or corrupt gzip is unreadable."""
        raw = self.raw()
        if raw[:2] != GZIP_MAGIC:
            return raw
        try:
            return gzip.decompress(raw)
        except (EOFError, OSError, zlib.error) as exc:
            raise UnreadableFileError(self.name, f"truncated or corrupt gzip ({exc})") from exc

    def content_head(self, size: int = HEAD_SIZE) -> bytes:
        """The first ``size`` content bytes, tolerating a truncated gzip (for sniffing)."""
        head = self.head(size if not self.gzipped else 4 * size)
        if head[:2] != GZIP_MAGIC:
            return head[:size]
        try:
            return zlib.decompressobj(wbits=31).decompress(head, size)
        except zlib.error as exc:
            raise UnreadableFileError(self.name, f"corrupt gzip ({exc})") from exc


def is_tar(blob: Blob) -> bool:
    head = blob.content_head(512)
    return len(head) >= 262 and head[257:262] == b"ustar"


def _tar_members(blob: Blob) -> Iterator[Blob]:
    raw = blob.content()
    try:
        with tarfile.open(fileobj=io.BytesIO(raw), mode="r:") as tar:
            for member in tar:
                if not member.isfile():
                    continue
                base = member.name.rsplit("/", 1)[-1].lower()
                if base.startswith(".") or base.startswith(_NOT_DATA):
                    continue
                extracted = tar.extractfile(member)
                if extracted is None:
                    continue
                yield Blob(name=f"{blob.name}::{member.name}", data=extracted.read())
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise UnreadableFileError(blob.name, f"broken tar archive ({exc})") from exc


def expand(path: str | Path) -> Iterator[Blob | UnreadableFileError]:
    """The data files a user path stands for: itself, a directory's files, a tar's members.

    Errors are yielded (not raised) so that one bad member does not hide the others.
    """
    p = Path(path)
    if p.is_dir():
        files = sorted(f for f in p.rglob("*") if f.is_file() and not f.name.startswith("."))
        if not files:
            yield UnreadableFileError(p, "directory holds no files")
        for f in files:
            yield from _expand_file(Blob(name=str(f), path=f))
        return
    if not p.exists():
        yield UnreadableFileError(p, "no such file")
        return
    yield from _expand_file(Blob(name=str(p), path=p))


def _expand_file(blob: Blob) -> Iterator[Blob | UnreadableFileError]:
    try:
        if not is_tar(blob):
            yield blob
            return
        members = _tar_members(blob)
        found = False
        for member in members:
            found = True
            yield member
        if not found:
            yield UnreadableFileError(blob.name, "tar archive holds no data files")
    except UnreadableFileError as exc:
        yield exc


__all__ = ["Blob", "expand", "is_tar"]
