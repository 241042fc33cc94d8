"""Each protocol against the library it reproduces, from the JPEG bytes on.

The judges are the libraries themselves, run here: TensorFlow's own ops for TF-Slim's
preprocessing, OpenCV (opencv-python-headless) and Keras's preprocess_input for the
keras-applications recipe, Pillow for timm's. torchvision's few lines of arithmetic around
Pillow are written out below, citing their source (torch is not a dependency). The files are
fixtures/assorted_jpegs.py's: 4:4:4, 4:2:2, 4:2:0, odd sizes, progressive, grayscale, CMYK, an
image below 299 and one over a million pixels. Thresholds were measured on them
(docs/evaluation.md, "Checked against the libraries").
"""

import io
import math

import cv2
import keras
import numpy as np
import pytest
import tensorflow as tf
from PIL import Image
from support.groups import per_model

from fixtures import assorted_jpegs as jpegs
from inception_repro.evaluate import protocols

pytestmark = pytest.mark.eval


@pytest.fixture(scope="module")
def assorted_jpegs():
    """{kind: JPEG bytes}: fixtures/assorted_jpegs.py, written by Pillow."""
    return jpegs.assorted()


KINDS = [
    "4:4:4 375x500",
    "4:2:2 500x333",
    "4:2:0 333x500",
    "4:2:0 odd 301x457",
    "progressive 4:2:0 500x400",
    "grayscale 375x500",
    "tiny 4:2:0 120x160",
    "large 4:2:0 1000x1200",
    "CMYK 240x320",
]
# OpenCV converts CMYK to RGB its own way (all values differ, by up to 2 grey levels, from
# libjpeg's conversion that TF and Pillow share). None of ImageNet's validation images is CMYK
# (TFDS's imagenet2012 builder lists its 22 CMYK files: all training images), so the
# keras-applications comparison leaves CMYK out and test_decoders pins the difference.
OPENCV_KINDS = [k for k in KINDS if not k.startswith("CMYK")]
LEVEL = 2.0 / 255.0  # one grey level, on the [-1, 1] scale


def _pillow_rgb(jpeg):
    return np.asarray(Image.open(io.BytesIO(jpeg)).convert("RGB"))


def _opencv_rgb(jpeg):
    return cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)[:, :, ::-1]


@pytest.mark.parametrize("kind", KINDS)
def test_decoders(kind, assorted_jpegs):
    jpeg = assorted_jpegs[kind]
    slim = protocols.get("slim").decode(jpeg).numpy()
    accurate = protocols.get("timm").decode(jpeg).numpy()
    assert protocols.get("keras-applications").decoder == "INTEGER_ACCURATE"
    # slim decodes as TF-Slim did: tf.image.decode_jpeg(channels=3), TF's default IDCT
    np.testing.assert_array_equal(slim, tf.image.decode_jpeg(jpeg, channels=3).numpy())
    # libjpeg's accurate IDCT is Pillow's, bit for bit, and OpenCV's but for CMYK
    np.testing.assert_array_equal(accurate, _pillow_rgb(jpeg))
    opencv = _opencv_rgb(jpeg)
    if kind in OPENCV_KINDS:
        np.testing.assert_array_equal(accurate, opencv)
    else:
        assert np.abs(accurate.astype(int) - opencv).max() >= 1
    # and TF's default is not: measured 49% to 67% of values differ, by up to 5 levels
    assert (slim != accurate).mean() > 0.3


def _slim_reference(jpeg):
    """TF-Slim preprocessing/inception_preprocessing.py preprocess_for_eval, with TF's ops."""
    image = tf.image.decode_jpeg(jpeg, channels=3)
    image = tf.image.convert_image_dtype(image, tf.float32)
    image = tf.image.central_crop(image, central_fraction=0.875)
    image = tf.compat.v1.image.resize_bilinear(image[None], [299, 299], align_corners=False)[0]
    return ((image - 0.5) * 2.0).numpy()


def _keras_applications_reference(jpeg):
    """tensornets utils.load_img(target_size=341, interp=INTER_CUBIC) and crop(299), then
    keras.applications.inception_resnet_v2.preprocess_input."""
    image = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
    h, w = image.shape[:2]
    size = tuple(side * 341 // min(h, w) for side in (w, h))
    if size != (w, h):
        image = cv2.resize(image, size, interpolation=cv2.INTER_CUBIC)
    image = image[:, :, ::-1]
    top, left = (image.shape[0] - 299) // 2, (image.shape[1] - 299) // 2
    crop = image[top : top + 299, left : left + 299].astype(np.float32)
    return keras.applications.inception_resnet_v2.preprocess_input(crop)


def _timm_reference(jpeg, crop_pct):
    """timm transforms_imagenet_eval with a model's crop_pct (bicubic), torchvision's
    arithmetic written out:
    - Resize(floor(299 / crop_pct)): torchvision/transforms/functional.py
      _compute_resized_output_size: the shorter side to it, the longer to int(side * long /
      short); then PIL's resize, BICUBIC;
    - CenterCrop(299): crop_top = int(round((h - 299) / 2.0)), likewise crop_left;
    - ToTensor: float32 / 255; Normalize(mean 0.5, std 0.5): (x - 0.5) / 0.5."""
    image = Image.open(io.BytesIO(jpeg)).convert("RGB")
    w, h = image.size
    short, long = (w, h) if w <= h else (h, w)
    side = math.floor(299 / crop_pct)
    new_short, new_long = side, int(side * long / short)
    new_w, new_h = (new_short, new_long) if w <= h else (new_long, new_short)
    image = image.resize((new_w, new_h), Image.BICUBIC)
    top, left = int(round((new_h - 299) / 2.0)), int(round((new_w - 299) / 2.0))
    image = image.crop((left, top, left + 299, top + 299))
    x = np.asarray(image, np.float32) / np.float32(255.0)
    return (x - np.float32(0.5)) / np.float32(0.5)


# The same formula in another order (TF-Slim converts to float before the resize, the protocol
# after it): measured at most 2.4e-7 on every kind, a 30,000th of a grey level.
SLIM_MAX_ABS = 1e-6
# One grey level off on at most this fraction of an image's values; measured at most 0.030%
# (the 1.2-megapixel image) for OpenCV, whose float resize (through Intel IPP) rounds a few
# values the other way, and 0.0097% for Pillow.
KERAS_APPLICATIONS_MAX_FRACTION = 0.0005
TIMM_MAX_FRACTION = 0.0002


def _levels_off(ours, theirs):
    return np.abs(ours.astype(np.float64) - theirs) / LEVEL


@pytest.mark.parametrize("kind", KINDS)
def test_slim_is_tf_slims_preprocessing(kind, assorted_jpegs):
    jpeg = assorted_jpegs[kind]
    ours = protocols.get("slim").preprocess_jpeg(jpeg)
    assert ours.shape == (299, 299, 3) and ours.dtype == np.float32
    assert np.abs(ours.astype(np.float64) - _slim_reference(jpeg)).max() <= SLIM_MAX_ABS


@pytest.mark.parametrize("kind", OPENCV_KINDS)
def test_keras_applications_is_opencv_and_keras_preprocess_input(kind, assorted_jpegs):
    jpeg = assorted_jpegs[kind]
    off = _levels_off(
        protocols.get("keras-applications").preprocess_jpeg(jpeg),
        _keras_applications_reference(jpeg),
    )
    assert off.max() <= 1.0 + 1e-4, f"{off.max():.3f} grey levels"
    assert (off > 0.5).mean() <= KERAS_APPLICATIONS_MAX_FRACTION, f"{(off > 0.5).mean():.5%}"


# timm's pretrained configs: timm/models/inception_resnet_v2.py and inception_v4.py
TIMM_CROP_PCT = {"keras-inception-resnet-v2": 0.8975, "slim-inception-v4": 0.875}


@pytest.mark.parametrize("model_id", per_model(TIMM_CROP_PCT))
@pytest.mark.parametrize("kind", KINDS)
def test_timm_is_pillow_and_torchvision(kind, model_id, assorted_jpegs):
    jpeg = assorted_jpegs[kind]
    ours = protocols.get("timm", model_id).preprocess_jpeg(jpeg)
    off = _levels_off(ours, _timm_reference(jpeg, TIMM_CROP_PCT[model_id]))
    assert off.max() <= 1.0 + 1e-4, f"{off.max():.3f} grey levels"
    assert (off > 0.5).mean() <= TIMM_MAX_FRACTION, f"{(off > 0.5).mean():.5%}"


@pytest.mark.parametrize("name", protocols.PROTOCOLS)
def test_one_file_is_seen_as_the_batched_path_sees_it(name, assorted_jpegs):
    """preprocess_jpeg and the evaluation's batches (decode; each image's bytes padded to the
    batch's largest; resize_batch; normalize) agree exactly."""
    protocol = protocols.get(name)
    images = [protocol.decode(jpeg) for jpeg in assorted_jpegs.values()]
    longest = max(int(tf.size(im)) for im in images)
    flat = tf.stack([tf.pad(tf.reshape(im, [-1]), [[0, longest - tf.size(im)]]) for im in images])
    sizes = tf.stack([tf.shape(im)[:2] for im in images])
    batched = protocol.normalize(protocol.resize_batch(flat, sizes)).numpy()
    for row, jpeg in zip(batched, assorted_jpegs.values(), strict=True):
        np.testing.assert_array_equal(row, protocol.preprocess_jpeg(jpeg))
