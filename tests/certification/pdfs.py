"""Looking at certificate PDFs the way a reader does: as pixels."""

from __future__ import annotations

import subprocess
from pathlib import Path

from PIL import Image


def raster(pdf: bytes, folder: Path, name: str, dpi: int = 150) -> Image.Image:
    """The PDF's page in grey at ``dpi``, drawn by poppler."""
    (folder / f"{name}.pdf").write_bytes(pdf)
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            str(dpi),
            "-gray",
            "-singlefile",
            f"{folder / name}.pdf",
            str(folder / name),
        ],
        check=True,
    )
    return Image.open(folder / f"{name}.pgm")
