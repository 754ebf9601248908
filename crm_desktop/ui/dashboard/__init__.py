"""The dashboard (仪表盘) on the workbench tab and the sales-target grid under Administration."""
