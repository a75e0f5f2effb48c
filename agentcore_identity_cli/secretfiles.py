"""Files that `inject` writes: secrets on disk by request, so written with care.

A rendered file is written whole or not at all: into a temporary file beside it, created
0600, given its mode (0600 unless --file-mode says otherwise), synced, then renamed over
the target. An existing file is replaced only when it is one this tool wrote and nobody
has changed since (or with --force): the tool keeps a list of the files it rendered
(`rendered-files.json` in its data folder: path, device, inode, size and modification
time, never content), so a typo in -o cannot overwrite a file of the user's.

Also here: reading a bounded text file (templates, env files), pipes included, so that
`--env-file <(...)` and `-i <(...)` work.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from agentcore_identity_cli.errors import UsageError

REGISTRY_NAME = "rendered-files.json"
DEFAULT_MODE = 0o600


def read_text_file(path: Path, where: str, limit: int) -> str:
    """The UTF-8 text of a file or pipe, at most `limit` bytes; UsageError (252) otherwise."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise UsageError(f"Cannot read {where}: no such file.") from None
    except OSError as exc:
        raise UsageError(f"Cannot read {where}: {exc.strerror}.") from None
    if stat.S_ISDIR(os.fstat(fd).st_mode):
        os.close(fd)
        raise UsageError(f"Cannot read {where}: it is a folder.")
    with os.fdopen(fd, "rb") as handle:
        try:
            data = handle.read(limit + 1)
        except OSError as exc:
            raise UsageError(f"Cannot read {where}: {exc.strerror}.") from None
    return _decode(data, where, limit)


def read_text_stream(stream: IO[str], where: str, limit: int) -> str:
    """At most `limit` characters of a text stream (stdin)."""
    try:
        text = stream.read(limit + 1)
        text.encode()
    except (UnicodeDecodeError, UnicodeEncodeError):
        raise UsageError(f"Cannot read {where}: it is not UTF-8 text.") from None
    if len(text) > limit:
        raise UsageError(f"Cannot read {where}: it is larger than {limit // 1024} KiB.")
    return text


def _decode(data: bytes, where: str, limit: int) -> str:
    if len(data) > limit:
        raise UsageError(f"Cannot read {where}: it is larger than {limit // 1024} KiB.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UsageError(f"Cannot read {where}: it is not UTF-8 text.") from None


def parse_mode(text: str) -> int:
    """--file-mode: octal permission bits, 0 to 0777 (no setuid, setgid or sticky bit)."""
    try:
        mode = int(text, 8)
    except ValueError:
        mode = -1
    if not 0 <= mode <= 0o777:
        raise UsageError(f"Bad value for --file-mode: '{text}' is not an octal mode from 0000 to 0777 (e.g. 0600).")
    return mode


class RenderedFiles:
    """The list of files this tool rendered, to know which ones it may replace."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / REGISTRY_NAME

    def owns(self, target: Path, status: os.stat_result) -> bool:
        """Whether target is a file this tool wrote, unchanged since."""
        with self._locked() as entries:
            return entries.get(str(target)) == _identity(status)

    def record(self, target: Path, status: os.stat_result) -> None:
        """Remember target as written by this tool; forget entries whose files are gone."""
        with self._locked(write=True) as entries:
            for name in [name for name in entries if not os.path.lexists(name)]:
                del entries[name]
            entries[str(target)] = _identity(status)

    @contextlib.contextmanager
    def _locked(self, *, write: bool = False) -> Iterator[dict[str, list[int]]]:
        import fcntl

        if write:
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        elif not self.path.exists():
            yield {}
            return
        flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOFOLLOW", 0)
        fd = os.open(self.path, flags, 0o600)
        with os.fdopen(fd, "r+", encoding="utf-8") as handle:
            fcntl.flock(fd, fcntl.LOCK_EX if write else fcntl.LOCK_SH)
            try:
                loaded = json.loads(handle.read() or "{}")
            except ValueError:
                loaded = {}  # a damaged list only makes --force necessary
            entries = loaded if isinstance(loaded, dict) else {}
            yield entries
            if write:
                handle.seek(0)
                handle.truncate()
                handle.write(json.dumps(entries, indent=1, sort_keys=True))
                handle.flush()
                os.fsync(fd)


def _identity(status: os.stat_result) -> list[int]:
    return [status.st_dev, status.st_ino, status.st_size, status.st_mtime_ns]


def check_target(target: Path, registry: RenderedFiles, *, force: bool) -> Path:
    """The absolute target, once it is clear that it may be written (before any secret is fetched)."""
    target = Path(os.path.abspath(target))
    folder = target.parent
    if not folder.is_dir():
        raise UsageError(f"Cannot write {target}: the folder {folder} does not exist.")
    try:
        status = os.lstat(target)
    except FileNotFoundError:
        return target
    if stat.S_ISDIR(status.st_mode):
        raise UsageError(f"Cannot write {target}: it is a folder.")
    if not force and not registry.owns(target, status):
        raise UsageError(
            f"{target} exists and is not a file that inject wrote (or it was changed since); it was left as it is.",
            hint="pass --force to replace it",
        )
    return target


def write_secret_file(target: Path, text: str, mode: int, registry: RenderedFiles, *, force: bool) -> None:
    """Write text to target atomically with `mode`, refusing to replace a file not ours unless force."""
    target = check_target(target, registry, force=force)
    folder = target.parent
    fd, temporary = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), mode)  # exactly this mode, whatever the umask
            handle.write(text.encode())
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    _sync_folder(folder)
    registry.record(target, os.lstat(target))


def _sync_folder(folder: Path) -> None:
    """Make the rename durable (not every file system lets a folder be synced)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
