"""A product's pictures as thumbnails under its detail window's header.

Pictures are the product's image attachments (services/product_pictures.py): adding one on the
Attachments tab shows it here after the window's re-read. Without pictures the part stays
hidden. Public for tests: ``pictures`` (as read), ``thumbnails`` (one QLabel each, in order).
Thread rule: GUI thread only; the pictures are read through ``op``.
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget
from shiboken6 import isValid

from crm_desktop.services.sales.product_pictures import PictureDTO, product_pictures
from crm_desktop.ui.ops import op
from crm_desktop.ui.records.details.base import DetailTab, DetailTarget

THUMBNAIL_HEIGHT = 96


class ProductPictures(DetailTab):
    def __init__(self, target: DetailTarget, parent: QWidget | None = None) -> None:
        super().__init__(target, parent)
        self.pictures: list[PictureDTO] = []
        self.thumbnails: list[QLabel] = []
        self._row = QHBoxLayout()
        self._row.setContentsMargins(0, 0, 0, 0)
        self._row.setSpacing(8)
        self._row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addLayout(self._row)
        layout.addWidget(self.message_label)
        self.hide()

    def reload(self) -> None:
        db, actor, record_id = self.ctx.db, self.ctx.actor, self.target.record_id
        self._loading = True
        op(self, lambda: product_pictures(db, actor, record_id)).success(self._show).failure(self._failed).run()

    def _failed(self, exc: BaseException) -> None:
        self.failed(exc)
        self.setVisible(True)  # the message says why there are no pictures

    def _show(self, pictures: list[PictureDTO]) -> None:
        if not isValid(self):
            return
        self._loading = False
        self.pictures = pictures
        for label in self.thumbnails:
            label.deleteLater()
        self.thumbnails = []
        for picture in pictures:
            pixmap = QPixmap()
            label = QLabel()
            label.setToolTip(picture.filename)
            if pixmap.loadFromData(picture.data):
                label.setPixmap(pixmap.scaledToHeight(THUMBNAIL_HEIGHT, Qt.TransformationMode.SmoothTransformation))
            else:  # named like a picture but not one Qt can read: say which file it is
                label.setText(picture.filename)
            label.setStyleSheet("QLabel { border: 1px solid palette(midlight); padding: 2px; }")
            self._row.insertWidget(len(self.thumbnails), label)
            self.thumbnails.append(label)
        self.setVisible(bool(pictures))
