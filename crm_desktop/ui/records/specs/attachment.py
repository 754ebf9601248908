"""The columns of a record's Attachments tab (附件): files, not an entity with a list of its own."""
from __future__ import annotations

from crm_desktop.i18n_markers import QT_TRANSLATE_NOOP
from crm_desktop.ui.records.specs.base import Column


def size_text(size: int) -> str:
    """A file size as people read it (B, KB, MB)."""
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


ATTACHMENT_COLUMNS = (
    Column("filename", 320, label=QT_TRANSLATE_NOOP("AttachmentsTab", "Name"), context="AttachmentsTab", tooltip=True),
    Column("size", 90, label=QT_TRANSLATE_NOOP("AttachmentsTab", "Size"), context="AttachmentsTab", right=True,
           formatter=size_text),
    Column("uploaded_by", label=QT_TRANSLATE_NOOP("AttachmentsTab", "Uploaded by"), context="AttachmentsTab"),
    Column("uploaded_at", label=QT_TRANSLATE_NOOP("AttachmentsTab", "Time"), context="AttachmentsTab"),
)
