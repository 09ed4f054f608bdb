"""What the writers of the store share: paths, durability, lock timeout, the warning channel.

The locks are taken here and nowhere else in the writers, so the only nesting
(session lock, then global lock) is kept in one place.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from runner.logs.models import Durability, SessionSummary
from runner.logs.store import global_index
from runner.logs.store.locks import KeptLocks, Locks
from runner.logs.store.paths import LogPaths
from runner.notices import Notice
from runner.timestamps import now_iso


@dataclass
class StoreContext:
    """One writer's view of the store: where, how durably, how long to wait for a lock, where warnings go."""

    paths: LogPaths
    durability: Durability
    lock_timeout_s: float
    warn: Callable[[Notice], None]
    kept_locks: KeptLocks | None = None  # lock descriptors kept by the session's owner (`KeptLocks`)
    _locks: Locks | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def strict(self) -> bool:
        return self.durability is Durability.STRICT

    @property
    def locks(self) -> Locks:
        """This context's locks (made again only when a field they come from changed: three uses per task)."""
        known = self._locks
        if (known is None or known.paths is not self.paths or known.timeout_s != self.lock_timeout_s
                or known.kept is not self.kept_locks):
            known = self._locks = Locks(self.paths, self.lock_timeout_s, self.kept_locks)
        return known

    def put_global_row(self, row: SessionSummary, *, durable_write: bool) -> None:
        """Replace one session's row in the global index under the global lock.

        Callers hold that session's lock: the only lock nesting is session, then global.
        """
        with self.locks.global_index():
            global_index.put_global_row_locked(self.paths, row, now_iso(), durable_write=durable_write)
