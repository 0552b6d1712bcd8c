"""Looking at exported images in tests."""

from __future__ import annotations

import io

import numpy as np
from matplotlib.image import imread


def blank_fraction(png: bytes) -> float:
    """Share of pixels equal to the background (taken near the top centre): an export must not be blank."""
    img = imread(io.BytesIO(png))
    bg = img[5, img.shape[1] // 2]
    return float(np.mean(np.all(np.isclose(img, bg, atol=1e-3), axis=-1)))
