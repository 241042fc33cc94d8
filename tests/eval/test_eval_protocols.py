"""Each protocol's crop and resize against an independent NumPy computation.

The references below are written from the protocols' published recipes (TF-Slim's
inception_preprocessing, OpenCV's cv2.resize INTER_CUBIC + tensornets' crop, torchvision's
Resize + CenterCrop over Pillow's BICUBIC) in float64 / exact integers, resizing the whole
image and then cropping, where the implementation only computes the kept window.
"""

import math

import numpy as np
import pytest
import tensorflow as tf

from inception_repro.errors import UsageError
from inception_repro.evaluate import PROTOCOL_NAMES, protocols, run

pytestmark = pytest.mark.eval

# (height, width): shrink, enlarge, square, identity side (341), thin, and large shrinks, whose
# bicubic windows span many source pixels (Pillow's window grows with the shrink factor).
SIZES = [(375, 500), (500, 375), (60, 80), (299, 299), (341, 420), (90, 400), (700, 1000),
         (1400, 1500)]  # fmt: skip


def image(height, width, seed):
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width]
    smooth = 127 + 100 * np.sin(x[..., None] / 7.0 + y[..., None] / 11.0 + np.arange(3))
    return np.clip(smooth + rng.normal(0, 30, (height, width, 3)), 0, 255).astype(np.uint8)


def resample(img, axis, taps):
    """Apply per-output (indices, weights) lists along axis, in float64."""
    img = np.moveaxis(img.astype(np.float64), axis, 0)
    out = np.stack([np.tensordot(w, img[i], axes=1) for i, w in taps])
    return np.moveaxis(out, 0, axis)


# --- slim: central_crop(0.875), TF1 bilinear without half-pixel centres -------------------------


def slim_reference(img):
    h, w = img.shape[:2]
    top, left = int((h - h * 0.875) / 2), int((w - w * 0.875) / 2)
    crop = img[top : h - top, left : w - left].astype(np.float64) / 255.0
    for axis in (0, 1):
        size = crop.shape[axis]
        pos = np.arange(299) * (size / 299)
        lo = np.floor(pos).astype(int)
        hi = np.minimum(lo + 1, size - 1)
        taps = [([a, b], [1 - (p - a), p - a]) for p, a, b in zip(pos, lo, hi, strict=True)]
        crop = resample(crop, axis, taps)
    return (crop - 0.5) * 2.0


# --- keras-applications: shorter side 341 by OpenCV INTER_CUBIC, crop at (size - 299) // 2 ---


def keys(x, a):
    x = abs(x)
    if x < 1:
        return (a + 2) * x**3 - (a + 3) * x**2 + 1
    return a * x**3 - 5 * a * x**2 + 8 * a * x - 4 * a if x < 2 else 0.0


def cv2_taps(n_in, n_out):
    taps = []
    for d in range(n_out):
        f = (d + 0.5) * n_in / n_out - 0.5
        s = math.floor(f)
        idx = [min(max(s + k, 0), n_in - 1) for k in (-1, 0, 1, 2)]
        taps.append((idx, [keys(f - (s + k), -0.75) for k in (-1, 0, 1, 2)]))
    return taps


def keras_reference(img):
    h, w = img.shape[:2]
    new_h, new_w = h * 341 // min(h, w), w * 341 // min(h, w)
    out = resample(resample(img, 1, cv2_taps(w, new_w)), 0, cv2_taps(h, new_h))
    out = np.clip(np.round(out), 0, 255)
    top, left = (new_h - 299) // 2, (new_w - 299) // 2
    return out[top : top + 299, left : left + 299]


# --- timm: torchvision Resize(333) over Pillow BICUBIC, CenterCrop(299) --------------------------


def pil_taps(n_in, n_out):
    """Pillow's precompute_coeffs + normalize_coeffs_8bpc: integer weights, 22 fraction bits."""
    scale = n_in / n_out
    support = 2.0 * max(scale, 1.0)
    taps = []
    for d in range(n_out):
        centre = (d + 0.5) * scale
        lo = max(int(centre - support + 0.5), 0)
        hi = min(int(centre + support + 0.5), n_in)
        w = [keys((j - centre + 0.5) / max(scale, 1.0), -0.5) for j in range(lo, hi)]
        w = [v / sum(w) * (1 << 22) for v in w]
        taps.append((list(range(lo, hi)), [int(v - 0.5) if v < 0 else int(v + 0.5) for v in w]))
    return taps


def pil_pass(img, axis, taps):
    img = np.moveaxis(img.astype(np.int64), axis, 0)
    out = np.stack([np.tensordot(np.array(w), img[i], axes=1) for i, w in taps])
    out = np.clip((out + (1 << 21)) >> 22, 0, 255)
    return np.moveaxis(out, 0, axis)


def timm_reference(img):
    h, w = img.shape[:2]
    short, long = min(h, w), max(h, w)
    new_short, new_long = 333, int(333 * long / short)
    new_h, new_w = (new_short, new_long) if h <= w else (new_long, new_short)
    out = pil_pass(pil_pass(img, 1, pil_taps(w, new_w)), 0, pil_taps(h, new_h))
    top, left = int(round((new_h - 299) / 2.0)), int(round((new_w - 299) / 2.0))
    return out[top : top + 299, left : left + 299]


# --- the tests ------------------------------------------------------------------------------------


@pytest.mark.parametrize("height, width", SIZES)
def test_slim_matches_reference(height, width):
    img = image(height, width, seed=height + width)
    ours = protocols.get("slim").preprocess(tf.constant(img)).numpy()
    # TF computes the sample positions in float32: 5e-4 is 0.06 grey levels.
    np.testing.assert_allclose(ours, slim_reference(img), atol=5e-4)


@pytest.mark.parametrize("name, reference, max_mismatch", [
    ("keras-applications", keras_reference, 1e-3),  # float32 vs float64 rounding ties
    ("timm", timm_reference, 1e-4),
])  # fmt: skip
@pytest.mark.parametrize("height, width", SIZES)
def test_bicubic_protocols_match_reference(name, reference, max_mismatch, height, width):
    img = image(height, width, seed=height * width)
    ours = protocols.get(name).resize(tf.constant(img)).numpy().astype(int)
    diff = np.abs(ours - reference(img))
    assert ours.shape == (299, 299, 3)
    assert diff.max() <= 1
    assert (diff > 0).mean() <= max_mismatch


def test_crop_offsets_follow_each_recipe():
    # A 300x1000 image with a bright band over columns 496..503 (centre 500 in pixel
    # coordinates). slim keeps columns 62..937 and samples column x * 876 / 299; keras-
    # applications resizes to 341x1136 and crops from (1136 - 299) // 2 = 418; timm resizes to
    # 333x1110 and crops from round(811 / 2) = 406 (half to even). The band's centre in the
    # output tells where each crop starts.
    img = np.zeros((300, 1000, 3), np.uint8)
    img[:, 496:504] = 255
    expected = {
        "slim": (499.5 - 62) * 299 / 876,  # index coordinates, no half-pixel centres
        "keras-applications": 500 * 1136 / 1000 - 418 - 0.5,
        "timm": 500 * 1110 / 1000 - 406 - 0.5,
    }
    for name, centre in expected.items():
        row = protocols.get(name).resize(tf.constant(img)).numpy()[150, :, 0].astype(float)
        assert abs((row * np.arange(299)).sum() / row.sum() - centre) < 0.5, name


@pytest.mark.parametrize("name", PROTOCOL_NAMES)
def test_protocols_scale_to_minus_one_one(name):
    for value, expected in ((0, -1.0), (255, 1.0)):
        img = tf.fill([320, 400, 3], tf.constant(value, tf.uint8))
        out = protocols.get(name).preprocess(img).numpy()
        assert out.shape == (299, 299, 3)
        np.testing.assert_allclose(out, expected, atol=1e-6)


def test_protocol_names_are_the_implemented_ones():
    assert tuple(protocols.PROTOCOLS) == PROTOCOL_NAMES
    with pytest.raises(UsageError, match="slim, keras-applications, timm"):
        protocols.get("inception")


def test_slim_is_tf1_resize_bilinear_bit_for_bit():
    # TF-Slim's own ops, on the 0..255 scale: central_crop, then TF1's ResizeBilinear.
    for height, width in SIZES:
        img = tf.constant(image(height, width, seed=3 * height + width))
        crop = tf.image.central_crop(tf.cast(img, tf.float32), 0.875)[tf.newaxis]
        want = tf.raw_ops.ResizeBilinear(
            images=crop, size=[299, 299], align_corners=False, half_pixel_centers=False
        )[0]
        np.testing.assert_array_equal(protocols.get("slim").resize(img).numpy(), want.numpy())


def padded_batch(images, fill):
    """resize_batch's input: each image's bytes at the start of its row, the rest `fill`."""
    batch = np.full((len(images), max(img.size for img in images)), fill, np.uint8)
    for row, img in zip(batch, images, strict=True):
        row[: img.size] = img.reshape(-1)
    return tf.constant(batch), tf.constant([img.shape[:2] for img in images], tf.int32)


@pytest.mark.parametrize("name", PROTOCOL_NAMES)
def test_each_image_of_a_padded_batch_is_resized_as_if_alone(name):
    # What the input pipeline hands to the accelerator: images of many sizes padded to the
    # largest. The padding is never read: filling it with 0 or 255 changes nothing.
    # The images of the main pass, up to a million pixels (larger ones are batched in a pass of
    # their own, run.LARGE_PIXELS); 1400x1500 is checked alone above, and costs 4 s more here.
    protocol = protocols.get(name)
    images = [image(h, w, seed=h + 2 * w) for h, w in SIZES if h * w <= run.LARGE_PIXELS]
    assert len(images) == len(SIZES) - 1
    alone = np.stack([protocol.resize(tf.constant(img)).numpy() for img in images])
    for fill in (0, 255):
        batched = protocol.resize_batch(*padded_batch(images, fill)).numpy()
        np.testing.assert_array_equal(batched, alone)


def test_protocols_run_in_a_dataset_on_images_of_any_size():
    sizes = [(375, 500), (80, 60), (2000, 300)]
    ds = tf.data.Dataset.from_generator(
        lambda: (image(h, w, 0) for h, w in sizes),
        output_signature=tf.TensorSpec([None, None, 3], tf.uint8),
    )
    for name in PROTOCOL_NAMES:
        shapes = [x.shape for x in ds.map(protocols.get(name).resize)]
        assert shapes == [(299, 299, 3)] * len(sizes)


def test_the_timm_protocol_crops_as_the_models_timm_config_says():
    assert protocols.get("timm", "slim-inception-v4").source.endswith("crop_pct 0.875, bicubic")
    assert "shorter side to 341" in protocols.get("timm", "slim-inception-v4").steps
    assert "shorter side to 333" in protocols.get("timm", "keras-inception-resnet-v2").steps
    with pytest.raises(UsageError, match="no timm config for keras-inception-v3"):
        protocols.get("timm", "keras-inception-v3")
