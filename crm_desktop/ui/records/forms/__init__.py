"""The record forms (``open.open_form``): imported by the lists and the detail windows, importing
neither."""
