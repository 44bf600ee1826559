"""The image watermark: marked images are detected (after JPEG too), unmarked ones and wrong keys are not."""

from __future__ import annotations

import importlib

import cv2
import numpy as np
import pytest

from policies.errors import PolicyError
from policies.image_watermark import ImageWatermark


def photo(seed: int, side: int = 256) -> np.ndarray:
    """A photo-like test image: smooth shading with fine texture, fixed by the seed."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:side, 0:side]
    channels = [128 + 90 * np.sin(x / rng.uniform(20, 60) + c) * np.cos(y / rng.uniform(20, 60)) for c in range(3)]
    return (np.stack(channels, axis=-1) + rng.normal(0, 8, (side, side, 3))).clip(0, 255).astype(np.uint8)


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = np.mean((a.astype(float) - b.astype(float)) ** 2)
    return 10 * np.log10(255 ** 2 / mse)


@pytest.fixture(scope="module")
def marked():
    mark = ImageWatermark(b"deployment-secret")
    original = photo(seed=1)
    return mark, original, mark.mark(original)


def test_marked_image_is_detected_and_looks_the_same(marked):
    mark, original, image = marked
    assert image.dtype == np.uint8 and image.shape == original.shape
    assert psnr(original, image) > 35  # invisible: under ~1.5% RMS change
    found = mark.detect(image)
    assert found.z_score > 4 and found.watermarked(4.0) and found.p_value < 1e-4


def test_unmarked_images_and_wrong_keys_are_not_detected(marked):
    mark, original, image = marked
    assert mark.detect(original).z_score < 2
    assert mark.detect(photo(seed=2)).z_score < 2
    assert ImageWatermark(b"another-key").detect(image).z_score < 2


def test_the_mark_survives_jpeg_compression(marked):
    mark, _, image = marked
    ok, encoded = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 75])
    assert ok
    assert mark.detect(cv2.imdecode(encoded, cv2.IMREAD_COLOR)).watermarked(4.0)


def test_marking_is_deterministic():
    mark = ImageWatermark(b"k")
    assert (mark.mark(photo(seed=3, side=96)) == mark.mark(photo(seed=3, side=96))).all()


def test_bad_images_are_refused_with_the_reason():
    mark = ImageWatermark(b"k")
    with pytest.raises(PolicyError, match="at least 72 pixels a side"):
        mark.mark(photo(seed=1, side=64))
    with pytest.raises(PolicyError, match="uint8"):
        mark.detect(photo(seed=1).astype(np.float32))
    with pytest.raises(PolicyError, match="array"):
        mark.mark(np.zeros((128, 128), dtype=np.uint8))


def test_a_missing_library_names_the_extra(monkeypatch):
    real = importlib.import_module

    def without_library(name, *args):
        if name == "blind_watermark":
            raise ImportError("No module named 'blind_watermark'")
        return real(name, *args)

    monkeypatch.setattr(importlib, "import_module", without_library)
    with pytest.raises(PolicyError, match=r'pip install "intentctl\[image\]"'):
        ImageWatermark(b"k").mark(photo(seed=1, side=96))
