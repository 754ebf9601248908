"""The organisation: users, roles, departments, permissions, the data scope and logging in."""
