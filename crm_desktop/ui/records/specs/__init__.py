"""One view spec per entity (``registry.view_spec``); plain data read by lists, detail windows
and forms. Imports only ``shared``."""
