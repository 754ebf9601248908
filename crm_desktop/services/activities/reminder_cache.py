"""The 7-day reminder cache: with a shared server, the reminders of the coming week are kept in
a small file on this PC, so they still fire while the server is unreachable.

Promises (thread rule: any thread; no Qt, no clock — the caller passes the moments):

- ``upcoming`` reads the actor's reminders due in [start, start + 7 days) that were not shown
  yet — ``reminders.due_reminders``, so the cache holds exactly what the scheduler would show
  (the one scope filter; nothing another user may not see).
- ``save`` writes the cache atomically (a crash never leaves half a file); ``load`` answers
  None for a missing, unreadable or other user's file: a cache is a convenience, never an error.
- ``due_offline`` picks the cached reminders due in a window that were not announced yet.
  When the server is back, the scheduler delivers them (recorded as shown), so a reminder
  announced offline is not announced again.
"""
from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Collection, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from crm_desktop.services.activities.reminders import Reminder, due_reminders
from crm_desktop.services.org.actor import Actor

if TYPE_CHECKING:
    from crm_desktop.db import Database

CACHE_REACH = dt.timedelta(days=7)
FORMAT = 1
_MOMENTS = ("occurrence", "remind_at")


@dataclass(frozen=True)
class CachedReminders:
    """The reminders of one user due in [fetched_at, until), as read at ``fetched_at``."""

    user_id: int
    fetched_at: dt.datetime
    until: dt.datetime
    reminders: tuple[Reminder, ...]


def upcoming(db: Database, actor: Actor, *, start: dt.datetime, tz: dt.tzinfo | None = None,
             reach: dt.timedelta = CACHE_REACH) -> CachedReminders:
    """What to cache at ``start``: the actor's reminders of the next ``reach`` not shown yet."""
    found = due_reminders(db, actor, start=start, end=start + reach, tz=tz)
    return CachedReminders(actor.user_id, start, start + reach, tuple(found))


def _plain(r: Reminder) -> dict[str, Any]:
    out = asdict(r)
    for key in _MOMENTS:
        out[key] = out[key].isoformat()
    return out


def save(path: Path, cached: CachedReminders) -> None:
    """Write ``cached`` to ``path`` (replacing it whole)."""
    data = {"format": FORMAT, "user_id": cached.user_id, "fetched_at": cached.fetched_at.isoformat(),
            "until": cached.until.isoformat(), "reminders": [_plain(r) for r in cached.reminders]}
    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_name(path.name + ".part")
    part.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    os.replace(part, path)


def load(path: Path, user_id: int) -> CachedReminders | None:
    """The cache at ``path`` if it is this user's and readable (else None)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != FORMAT or data.get("user_id") != user_id:
            return None
        reminders = []
        for item in data["reminders"]:
            values = dict(item)
            for key in _MOMENTS:
                values[key] = dt.datetime.fromisoformat(values[key])
            reminders.append(Reminder(**values))
        return CachedReminders(user_id, dt.datetime.fromisoformat(data["fetched_at"]),
                               dt.datetime.fromisoformat(data["until"]), tuple(reminders))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def due_offline(cached: CachedReminders, *, start: dt.datetime, end: dt.datetime,
                announced: Collection[tuple[str, int, dt.datetime, int]] = ()) -> list[Reminder]:
    """Cached reminders due in [start, end) and not in ``announced`` (their keys), by moment."""
    return sorted((r for r in cached.reminders if start <= r.remind_at < end and r.key not in announced),
                  key=lambda r: (r.remind_at, r.source, r.item_id))


__all__: Sequence[str] = ["CACHE_REACH", "CachedReminders", "due_offline", "load", "save", "upcoming"]
