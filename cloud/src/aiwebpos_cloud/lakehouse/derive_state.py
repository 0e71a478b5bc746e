"""Where the deriver is, and who may derive: a small state file and a lock, both in `DIR/_deriver/`.

- `state.json` holds the last `events` version whose rows are in every derived table. It is written only
  after the derived tables' commits, atomically (a temporary file, fsync, rename, fsync of the folder),
  so after a crash it names a version that is fully derived, possibly an older one: the next pass derives
  the versions after it again, and the derived tables' MERGE by key stores nothing twice.
- `lock` is taken with `flock` for each pass (and by `lakehouse rebuild` for its whole run): one deriver
  works on a lakehouse at a time, the others stand by, and the kernel releases the lock of a process
  that dies, so a standby takes over at its next look. `flock` needs the lakehouse on a local file
  system; on shared or object storage run a single `aiwebpos-cloud lakehouse derive --follow`.
"""

import contextlib
import fcntl
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import msgspec

STATE_DIR = "_deriver"


class DeriverState(msgspec.Struct, frozen=True):
    events_version: int = 0  # version 0 of `events` is its creation: no rows to derive
    derived_at: str | None = None  # ISO time of the state's write


def state_path(lakehouse: Path) -> Path:
    return lakehouse / STATE_DIR / "state.json"


def read_state(lakehouse: Path) -> DeriverState:
    """The last state written; a lakehouse never derived from starts at version 0 (everything to derive)."""
    try:
        return msgspec.json.decode(state_path(lakehouse).read_bytes(), type=DeriverState)
    except FileNotFoundError:
        return DeriverState()


def write_state(lakehouse: Path, state: DeriverState) -> None:
    """Replace the state file atomically and durably: a reader or a crash sees the old one or the new one."""
    path = state_path(lakehouse)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=".state-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(msgspec.json.encode(state))
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)


class DeriveLock:
    """The lakehouse's derive lock (`flock` on `DIR/_deriver/lock`), taken for one pass at a time."""

    def __init__(self, lakehouse: Path) -> None:
        self.path = lakehouse / STATE_DIR / "lock"
        self._fd: int | None = None

    def acquire(self, wait: bool) -> bool:
        """Take the lock; False at once if another deriver holds it and `wait` is false."""
        if self._fd is not None:
            raise RuntimeError("this DeriveLock is already held")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            os.close(fd)
            return False
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd
        return True

    def release(self) -> None:
        if self._fd is not None:
            fd, self._fd = self._fd, None
            os.close(fd)  # closing the only descriptor releases the flock

    @contextlib.contextmanager
    def held(self, on_wait: Callable[[], None] | None = None) -> Iterator[None]:
        """Hold the lock for the block, waiting for it if need be (`on_wait` is called before waiting)."""
        if not self.acquire(wait=False):
            if on_wait is not None:
                on_wait()
            self.acquire(wait=True)
        try:
            yield
        finally:
            self.release()
