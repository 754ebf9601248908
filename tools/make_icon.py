"""Draw the application icon (resources/icons/app.png, 256 px) with Qt's painter."""
from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
from PySide6.QtCore import QRectF, Qt  # noqa: E402
from PySide6.QtGui import QColor, QFont, QGuiApplication, QImage, QLinearGradient, QPainter, QPainterPath  # noqa: E402

OUT = Path(__file__).resolve().parent.parent / "resources" / "icons" / "app.png"


def main() -> None:
    app = QGuiApplication(sys.argv)  # noqa: F841 - fonts need an application
    size = 256
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    p = QPainter(image)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    grad = QLinearGradient(0, 0, size, size)
    grad.setColorAt(0, QColor("#1f6feb"))
    grad.setColorAt(1, QColor("#0b3d91"))
    path = QPainterPath()
    path.addRoundedRect(QRectF(8, 8, size - 16, size - 16), 48, 48)
    p.fillPath(path, grad)
    # Three rising bars: a sales funnel turned into growth.
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor(255, 255, 255, 230))
    for i, h in enumerate((60, 95, 130)):
        p.drawRoundedRect(QRectF(62 + i * 48, 190 - h, 34, h), 8, 8)
    p.setPen(QColor("white"))
    font = QFont("Noto Sans CJK SC", 30, QFont.Weight.Bold)
    p.setFont(font)
    p.drawText(QRectF(0, 196, size, 44), Qt.AlignmentFlag.AlignCenter, "CRM")
    p.end()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    image.save(str(OUT))
    print(OUT)


if __name__ == "__main__":
    main()
