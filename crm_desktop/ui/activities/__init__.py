"""Tasks, schedule and reminders (issue 16): the task workbench, the calendar, their dialogs,
the reminder scheduler and the record's activity timeline. GUI thread only; services run
through ``ui.ops.op``."""
