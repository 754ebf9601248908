"""The dashboard (仪表盘) and sales targets (业绩目标): what a manager opens every morning.

Every number here is counted by the same query the record lists run — the one data-scope
filter, the module's base clause and a ``Filter`` — so each tile, funnel stage and ranking
entry carries the filter that opens exactly the records it counted.

Speed: the figures are read from the dashboard rollup (models/dashboard.py, kept by database
triggers in the writes' own transactions) for the owners the actor's scope covers, and from
the records only for what the actor sees through a team seat alone (``counting``, ``rollup``).
"""
