"""What several record screens use: list model, field editors, condition editor, delegates,
lines editor, operation log, names for stored ids, a contract's actions. Imports no other
records folder."""
