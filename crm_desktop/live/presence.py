"""Who else has a record open for editing, from the presence notes heard on the channel.

Nothing is locked: this only tells people. A window announces itself when it opens, repeats
the announcement as a heartbeat while open, and says "closed" when it closes; an entry not
repeated within ``expiry_s`` is dropped (the other PC crashed, or its cable was pulled).
Thread rule: the listener thread writes, any thread reads; a lock guards the table.
"""
from __future__ import annotations

import threading

from crm_desktop.live.notes import EDITING, PresenceNote

Key = tuple[str, int]


class PresenceBoard:
    """Other clients' editing windows, by record."""

    def __init__(self, *, expiry_s: float) -> None:
        self.expiry_s = expiry_s
        self._lock = threading.Lock()
        #: (client id, entity, record id) → (user id, expires at, monotonic seconds)
        self._seen: dict[tuple[str, str, int], tuple[int, float]] = {}

    def apply(self, note: PresenceNote, now: float) -> set[Key]:
        """Take in ``note``; returns the records whose editors changed."""
        key = (note.client_id, note.entity, note.record_id)
        with self._lock:
            if note.state == EDITING:
                before = self._seen.get(key)
                self._seen[key] = (note.user_id, now + self.expiry_s)
                return set() if before is not None and before[0] == note.user_id else {(note.entity, note.record_id)}
            return {(note.entity, note.record_id)} if self._seen.pop(key, None) is not None else set()

    def expire(self, now: float) -> set[Key]:
        """Drop entries not renewed in time; returns the records whose editors changed."""
        with self._lock:
            gone = [key for key, (_user, until) in self._seen.items() if until <= now]
            for key in gone:
                del self._seen[key]
        return {(entity, record_id) for _client, entity, record_id in gone}

    def clear(self) -> set[Key]:
        """Forget everyone (the connection was lost: nothing heard can be trusted to stay true)."""
        with self._lock:
            keys = {(entity, record_id) for _client, entity, record_id in self._seen}
            self._seen.clear()
        return keys

    def editors(self, entity: str, record_id: int) -> list[int]:
        """The user ids editing the record on other clients, each once, in id order."""
        with self._lock:
            return sorted({user for (_c, e, r), (user, _u) in self._seen.items() if (e, r) == (entity, record_id)})
