"""A grid of synthetic samples per class beside real ones (Model quality page).

"Show samples" draws them in a worker (:func:`siteapp.synthesis.gallery.synthetic_gallery`);
each row is a class, real training images on the left, the generator's on the right,
every synthetic tile captioned as synthetic. Nothing is sent or stored.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtWidgets import (
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from siteapp.synthesis.gallery import Gallery, synthetic_gallery
from siteapp.ui.thumbnails import to_pixmap
from siteapp.ui.vocabulary import class_text
from siteapp.ui.workers import Worker, call_in_worker

TILE_PX = 72


def _tile(image: np.ndarray, caption: str) -> QWidget:
    tile = QWidget()
    layout = QVBoxLayout(tile)
    layout.setContentsMargins(2, 2, 2, 2)
    picture = QLabel()
    grey = np.ascontiguousarray(np.round(np.clip(image, 0, 1) * 255).astype(np.uint8))
    picture.setPixmap(to_pixmap(grey).scaled(TILE_PX, TILE_PX))
    text = QLabel(caption)
    text.setObjectName("Hint")
    layout.addWidget(picture)
    layout.addWidget(text)
    return tile


class SyntheticSamplesBox(QGroupBox):
    """The federation's generator, judged by eye: ``show_samples()`` fills the grid."""

    def __init__(self, data_dir: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(self.tr("Synthetic images (the federation's generator)"))
        self.data_dir = data_dir
        self.worker: Worker | None = None
        self.gallery: Gallery | None = None
        layout = QVBoxLayout(self)
        row = QHBoxLayout()
        self.status = QLabel(self.tr(
            "Synthetic images are made by the generator the federation trained with privacy "
            "protection. They never leave this computer and are never stored with real studies."
        ))
        self.status.setWordWrap(True)
        self.show_button = QPushButton(self.tr("Show samples"))
        self.show_button.clicked.connect(self.show_samples)
        row.addWidget(self.status, 1)
        row.addWidget(self.show_button)
        layout.addLayout(row)
        self.grid = QGridLayout()
        layout.addLayout(self.grid)

    def show_samples(self) -> None:
        data_dir = self.data_dir
        self.show_button.setEnabled(False)
        worker = call_in_worker(lambda: synthetic_gallery(data_dir), self.tr("drawing synthetic samples"))
        worker.signals.finished.connect(self.draw)
        worker.signals.errored.connect(self.explain)
        self.worker = worker.start()

    def explain(self, message: str) -> None:
        self.show_button.setEnabled(True)
        self.status.setText(self.tr("No synthetic samples to show: %1").replace("%1", message))

    def draw(self, gallery: Gallery) -> None:
        self.show_button.setEnabled(True)
        self.gallery = gallery
        while self.grid.count():
            item = self.grid.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        real_word, synthetic_word = self.tr("real"), self.tr("synthetic")
        for row, name in enumerate(gallery.classes):
            self.grid.addWidget(QLabel(class_text(name)), row, 0)
            column = 1
            for image in gallery.real[row]:
                self.grid.addWidget(_tile(image, real_word), row, column)
                column += 1
            for image in gallery.synthetic[row]:
                self.grid.addWidget(_tile(image, synthetic_word), row, column)
                column += 1
        self.status.setText(self.tr(
            "Left: real training images of this site. Right: synthetic images from the "
            "generator after round %1. Judge whether they look like the real ones."
        ).replace("%1", str(gallery.after_round)))
