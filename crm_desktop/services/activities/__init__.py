"""Tasks (任务), schedule events (日程), reminders and the record's activity timeline (issue 16).

Small modules, one concern each:

- ``common``: the records an activity can be about, local time helpers, participants and links.
- ``visibility``: who sees a task or an event — the one data-scope filter on the activity itself
  (its owner), its participants, and ``visible_filter`` on each related record.
- ``tasks``: create, edit, finish, move between buckets, subtasks, comments with @mentions.
- ``workbench``: the buckets (inbox, today, next 7 days, later, overdue, done) and their counts.
- ``recurrence``: RFC 5545 repeat rules (python-dateutil) and their expansion for a window.
- ``schedule``: events, series edits (this one / this and following / all).
- ``calendar``: a window's items over the switchable layers, and the .ics export.
- ``reminders``: due reminders for a window (clock injected), each shown once; snooze.
- ``timeline``: one record's follow-ups, tasks, events and approvals, newest first.
"""
