"""The dashboard (仪表盘) and sales targets (业绩目标): what a manager opens every morning.

Every number here is counted by the same query the record lists run — the one data-scope
filter, the module's base clause and a ``Filter`` — so each tile, funnel stage and ranking
entry carries the filter that opens exactly the records it counted.
"""
