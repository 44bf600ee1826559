"""An invisible watermark for generated images, through the blind-watermark library.

The library hides a bit string in the image's frequency domain: a Haar wavelet transform of
each YUV channel, then the DCT and SVD of every 4x4 block of the low band, with one bit
quantised into each block's largest singular values and the bits repeated across all blocks.
Both the block order and the bit order are shuffled by seeds, so reading the bits back needs
them. We derive the seeds and a 64-bit payload from the deployment key, and detect by counting
how many bits read back agree with the payload: an unmarked image (or a wrong key) agrees
only by chance, half the time, which gives the same z-score and p-value as the text watermark
(``policies.detection``).

The library is an optional extra (``pip install "intentctl[image]"``); it is imported only
when an image is marked or read.
"""

from __future__ import annotations

import hashlib
import hmac
import importlib
from dataclasses import dataclass

import numpy as np

from policies.detection import Detection, binomial_detection
from policies.errors import PolicyError

PAYLOAD_BITS = 64
BLOCK = 4  # the library's block side, in pixels of the half-resolution wavelet band


@dataclass(frozen=True)
class _Keying:
    image_seed: int  # shuffles the blocks
    bit_seed: int  # shuffles the payload bits
    payload: np.ndarray  # the bits to hide, as booleans


def _keying(key: bytes, bits: int) -> _Keying:
    stream = b"".join(hmac.new(key, b"image-watermark-%d" % i, hashlib.sha256).digest()
                      for i in range(1 + bits // 128))
    payload = np.unpackbits(np.frombuffer(stream[8:], dtype=np.uint8))[:bits].astype(bool)
    return _Keying(int.from_bytes(stream[:4], "little"), int.from_bytes(stream[4:8], "little"), payload)


def _library():
    """The blind-watermark package, with its start-up banner turned off."""
    try:
        module = importlib.import_module("blind_watermark")
    except ImportError as exc:
        raise PolicyError('image watermarking needs the blind-watermark library: pip install "intentctl[image]" '
                          f"({exc})") from exc
    module.bw_notes.close()
    return module


def _checked(image: np.ndarray, bits: int) -> np.ndarray:
    image = np.asarray(image)
    if image.dtype != np.uint8 or image.ndim != 3 or image.shape[2] not in (3, 4):
        raise PolicyError(f"an image must be a height x width x 3 (or 4) array of uint8, not {image.dtype} "
                          f"{'x'.join(map(str, image.shape))}")
    height, width = image.shape[:2]
    blocks = ((height + 1) // 2 // BLOCK) * ((width + 1) // 2 // BLOCK)
    if blocks <= bits:
        raise PolicyError(f"a {width}x{height} image has room for {blocks} watermark blocks, fewer than the "
                          f"{bits} payload bits; it must be at least {8 * int(np.ceil(np.sqrt(bits + 1)))} "
                          "pixels a side")
    return image


class ImageWatermark:
    """Marks images with a keyed payload and tells marked images from unmarked ones.

    Images are height x width x 3 arrays of uint8 in OpenCV's BGR order (as ``cv2.imread``
    gives them); a fourth alpha channel is kept as it is.
    """

    def __init__(self, key: bytes, bits: int = PAYLOAD_BITS):
        if bits < 16:
            raise ValueError(f"the payload needs at least 16 bits to be detected reliably, not {bits}")
        self.bits = bits
        self._keying = _keying(key, bits)

    def _marker(self):
        return _library().WaterMark(password_wm=self._keying.bit_seed, password_img=self._keying.image_seed)

    def mark(self, image: np.ndarray) -> np.ndarray:
        """A copy of the image carrying the watermark, rounded back to uint8."""
        image = _checked(image, self.bits)
        marker = self._marker()
        marker.read_img(img=image)
        marker.read_wm(self._keying.payload.copy(), mode="bit")
        return np.rint(marker.embed()).clip(0, 255).astype(np.uint8)

    def detect(self, image: np.ndarray) -> Detection:
        """How many payload bits the image gives back, and how unlikely that is by chance."""
        image = _checked(image, self.bits)[:, :, :3]
        read = self._marker().extract(embed_img=image.astype(np.float32), wm_shape=self.bits, mode="bit")
        matched = int((np.asarray(read, dtype=bool) == self._keying.payload).sum())
        return binomial_detection(matched, self.bits, 0.5)
