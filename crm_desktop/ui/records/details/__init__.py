"""The detail window (``window.open_detail``) and its tabs; imports forms, never the lists."""
