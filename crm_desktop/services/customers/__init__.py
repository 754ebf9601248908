"""The customer side: leads, customers, contacts, the public pool and its jobs, follow-ups, to-dos."""
