"""The evaluation preprocessings whose numbers are reported for Inception-ResNet-v2.

Each protocol has two halves. `resize` runs in the input pipeline on the CPU: decoded uint8
image in, 299x299x3 out, still on the 0..255 scale. `normalize` is the final element-wise
scaling to [-1, 1]; it runs beside the model on the accelerator, which keeps the CPU work per
image small. `preprocess` chains the two.

slim
    TF-Slim preprocessing/inception_preprocessing.py, preprocess_for_eval (the slim README's
    eval_image_classifier.py numbers): convert to float, tf.image.central_crop(0.875), which
    keeps the aspect ratio, then TF1's resize_bilinear to 299x299 (squashing; align_corners and
    half_pixel_centers both False), then (x - 0.5) * 2.
keras-applications
    The recipe behind the keras-applications README table (its author in
    keras-team/keras-applications#88; tensornets tests/all_imagenet_models.py and utils.py):
    resize the shorter side to 341 = 299 * 8 // 7 (the longer one to floor(side * 341 / short))
    with OpenCV's cv2.resize INTER_CUBIC, crop the centre 299x299 at ((H - 299) // 2,
    (W - 299) // 2), then keras preprocess_input mode "tf": x / 127.5 - 1.
timm
    pytorch-image-models transforms_imagenet_eval with the inception_resnet_v2.tf_in1k config
    (crop_pct 0.8975, bicubic): torchvision Resize(floor(299 / 0.8975) = 333) on a PIL image,
    that is the shorter side to 333 and the longer to int(333 * long / short), resampled by
    Pillow's BICUBIC; CenterCrop(299), whose offsets are Python round((size - 299) / 2); then
    ToTensor and Normalize(mean 0.5, std 0.5).

OpenCV and Pillow are not dependencies: their resamplers are re-implemented from their sources
(`_cv2_cubic_taps`, `_pil_bicubic_taps`), computing in float32. On 8 million pixels of test
images, the Pillow one (Pillow's 22-bit weights, rounding after each pass) agreed with Pillow
13.0 on all but 0.002% of pixels, and the OpenCV one (float weights, as the PyPI builds of
OpenCV compute through Intel IPP) with opencv-python-headless 4.5.5 and 5.0 on all but 0.02%;
the others were one grey level off. OpenCV's own 11-bit fixed-point path, used when IPP is
off, is itself one level off on about 4% of pixels.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import tensorflow as tf

from inception_repro.errors import UsageError

IMAGE_SIZE = 299
SLIM_CENTRAL_FRACTION = 0.875
KERAS_SHORTER_SIDE = IMAGE_SIZE * 8 // 7  # 341
TIMM_CROP_PCT = 0.8975
TIMM_SHORTER_SIDE = int(IMAGE_SIZE / TIMM_CROP_PCT)  # 333
CV2_CUBIC_A = -0.75  # OpenCV interpolateCubic
PIL_CUBIC_A = -0.5  # Pillow bicubic_filter
PIL_CUBIC_SUPPORT = 2.0
PIL_PRECISION_BITS = 22  # libImaging/Resample.c: 32 - 8 - 2
PIL_COEF_SCALE = float(1 << PIL_PRECISION_BITS)
STACKED_TAPS = 12  # up to a shrink of just under 3x for Pillow's bicubic


@dataclass(frozen=True)
class Protocol:
    name: str
    source: str
    steps: str
    resize: Callable[[tf.Tensor], tf.Tensor]
    normalize: Callable[[tf.Tensor], tf.Tensor]

    def preprocess(self, image: tf.Tensor) -> tf.Tensor:
        """uint8 [H, W, 3] -> float32 [299, 299, 3] in [-1, 1]."""
        return self.normalize(tf.cast(self.resize(image), tf.float32))


# --- slim -------------------------------------------------------------------------------------


def _slim_resize(image):
    # Cropping before the float conversion gives the same values: the conversion is per pixel.
    image = tf.cast(tf.image.central_crop(image, SLIM_CENTRAL_FRACTION), tf.float32)
    # TF1's tf.image.resize_bilinear is this op with both flags False.
    image = tf.raw_ops.ResizeBilinear(
        images=image[tf.newaxis],
        size=[IMAGE_SIZE, IMAGE_SIZE],
        align_corners=False,
        half_pixel_centers=False,
    )
    return image[0]


def _slim_normalize(x):
    x = x * (1.0 / 255.0)  # what convert_image_dtype did before the (linear) resize
    return (x - 0.5) * 2.0


# --- shared separable resampling ---------------------------------------------------------------


def _resample_rows(x, idx, w):
    """out[n] = sum_k w[n, k] * x[idx[n, k]] along axis 0, computed in w's dtype.

    x is [L, M, C]; idx and w are [N, K] tap tables. A static K is unrolled; a dynamic one is
    gathered in one go while small, one tap at a time when a large shrink needs many taps (so
    that memory stays at one output's worth).
    """
    taps = idx.shape[1]
    if taps is not None:
        # add_n sums in the same order as consecutive additions, in one pass over memory.
        return tf.add_n([_tap(x, idx, w, k) for k in range(taps)])
    return tf.cond(
        tf.shape(idx)[1] <= STACKED_TAPS, lambda: _stacked(x, idx, w), lambda: _looped(x, idx, w)
    )


def _tap(x, idx, w, k):
    return tf.cast(tf.gather(x, idx[:, k]), w.dtype) * w[:, k, tf.newaxis, tf.newaxis]


def _stacked(x, idx, w):
    rows = tf.cast(tf.gather(x, idx), w.dtype)  # [N, K, M, C]
    return tf.reduce_sum(rows * w[:, :, tf.newaxis, tf.newaxis], axis=1)


def _looped(x, idx, w):
    acc = tf.zeros(tf.concat([tf.shape(idx)[:1], tf.shape(x)[1:]], 0), w.dtype)
    _, acc = tf.while_loop(
        lambda k, _: k < tf.shape(idx)[1],
        lambda k, acc: (k + 1, acc + _tap(x, idx, w, k)),
        (0, acc),
    )
    return acc


def _resample(image, cols, rows, between, out):
    """Separable resampling, the horizontal pass first as in OpenCV and Pillow.

    cols and rows are (idx, w) tap tables into the image's columns and rows; `between` turns
    the horizontal pass's sums into the vertical pass's input, `out` turns the final sums into
    0..255. Only the source window the taps read is touched, and only the output pixels the
    crop keeps are computed.
    """
    (cidx, cw), (ridx, rw) = cols, rows
    r0, c0 = tf.reduce_min(ridx), tf.reduce_min(cidx)
    image = image[r0 : tf.reduce_max(ridx) + 1, c0 : tf.reduce_max(cidx) + 1]
    x = _resample_rows(tf.transpose(image, [1, 0, 2]), cidx - c0, cw)  # [out_w, h, 3]
    x = _resample_rows(tf.transpose(between(x), [1, 0, 2]), ridx - r0, rw)  # [out_h, out_w, 3]
    return tf.cast(out(x), tf.uint8)


# --- keras-applications (OpenCV INTER_CUBIC) ---------------------------------------------------


def _cv2_cubic_taps(in_size, out_size, first, count):
    """Taps of cv2.resize INTER_CUBIC for output pixels first .. first + count - 1.

    OpenCV imgproc/src/resize.cpp: fx = (float)((d + 0.5) * in / out - 0.5), source pixels
    floor(fx) - 1 .. floor(fx) + 2 clamped to the image (replicated border), interpolateCubic
    weights (Keys kernel, A = -0.75, the last one 1 minus the others).
    """
    d = tf.cast(tf.range(first, first + count), tf.float64)
    scale = tf.cast(in_size, tf.float64) / tf.cast(out_size, tf.float64)
    f = tf.cast((d + 0.5) * scale - 0.5, tf.float32)
    s = tf.floor(f)
    x = (f - s)[:, tf.newaxis]
    a = CV2_CUBIC_A
    c0 = ((a * (x + 1) - 5 * a) * (x + 1) + 8 * a) * (x + 1) - 4 * a
    c1 = ((a + 2) * x - (a + 3)) * x * x + 1
    c2 = ((a + 2) * (1 - x) - (a + 3)) * (1 - x) * (1 - x) + 1
    w = tf.concat([c0, c1, c2, 1.0 - c0 - c1 - c2], axis=1)
    idx = tf.clip_by_value(tf.cast(s, tf.int32)[:, tf.newaxis] + [-1, 0, 1, 2], 0, in_size - 1)
    return idx, w


def _cv2_out(x):
    # Round to nearest (ties to even) and saturate to 0..255.
    return tf.clip_by_value(tf.round(x), 0.0, 255.0)


def _keras_resize(image):
    shape = tf.shape(image)
    h, w = shape[0], shape[1]
    short = tf.minimum(h, w)
    new_h = h * KERAS_SHORTER_SIDE // short
    new_w = w * KERAS_SHORTER_SIDE // short
    top = (new_h - IMAGE_SIZE) // 2
    left = (new_w - IMAGE_SIZE) // 2
    cols = _cv2_cubic_taps(w, new_w, left, IMAGE_SIZE)
    rows = _cv2_cubic_taps(h, new_h, top, IMAGE_SIZE)
    return _resample(image, cols, rows, tf.identity, _cv2_out)


def _keras_normalize(x):
    return x / 127.5 - 1.0


# --- timm (torchvision Resize + Pillow BICUBIC + CenterCrop) ------------------------------------


def _pil_bicubic(x):
    """Pillow's bicubic_filter (a = -0.5) of |x|."""
    a = PIL_CUBIC_A
    x = tf.abs(x)
    near = ((a + 2.0) * x - (a + 3.0)) * x * x + 1.0
    far = (((x - 5.0) * x + 8.0) * x - 4.0) * a
    return tf.where(x < 1.0, near, tf.where(x < 2.0, far, tf.zeros_like(x)))


def _pil_bicubic_taps(in_size, out_size, first, count):
    """Taps of Pillow's BICUBIC resize for output pixels first .. first + count - 1.

    Pillow libImaging/Resample.c, precompute_coeffs: scale = in / out, the filter widened by
    max(scale, 1) when shrinking (antialiasing), centre = (d + 0.5) * scale, source pixels
    int(centre - support + 0.5) .. int(centre + support + 0.5) - 1 cut to the image, weights
    bicubic_filter((pixel - centre + 0.5) / max(scale, 1)) divided by their sum, then
    normalize_coeffs_8bpc rounds them (half away from zero) to 22-bit fixed point.
    """
    scale = tf.cast(in_size, tf.float64) / tf.cast(out_size, tf.float64)
    filterscale = tf.maximum(scale, 1.0)
    support = PIL_CUBIC_SUPPORT * filterscale
    centre = (tf.cast(tf.range(first, first + count), tf.float64) + 0.5) * scale
    lo = tf.maximum(tf.floor(centre - support + 0.5), 0.0)
    hi = tf.minimum(tf.floor(centre + support + 0.5), tf.cast(in_size, tf.float64))
    # The widest window, not Pillow's ksize (ceil(support) * 2 + 1): the taps beyond a window
    # have weight 0, so dropping them changes no sum and saves their work.
    taps = tf.cast(tf.reduce_max(hi - lo), tf.int32)
    pos = lo[:, tf.newaxis] + tf.cast(tf.range(taps), tf.float64)
    w = _pil_bicubic((pos - centre[:, tf.newaxis] + 0.5) / filterscale)
    w = tf.where(pos < hi[:, tf.newaxis], w, tf.zeros_like(w))
    w = w / tf.reduce_sum(w, axis=1, keepdims=True) * PIL_COEF_SCALE
    w = tf.where(w < 0, tf.math.ceil(w - 0.5), tf.floor(w + 0.5))  # round half away from zero
    idx = tf.minimum(tf.cast(pos, tf.int32), in_size - 1)
    return idx, tf.cast(w / PIL_COEF_SCALE, tf.float32)


def _pil_clip8(x):
    """Pillow's clip8, (sum + 2**21) >> 22 saturated to 0..255, on the float sum."""
    return tf.clip_by_value(tf.floor(x + 0.5), 0.0, 255.0)


def _timm_resize(image):
    shape = tf.shape(image)
    h, w = shape[0], shape[1]
    short, long = tf.minimum(h, w), tf.maximum(h, w)
    new_long = tf.cast(
        tf.cast(TIMM_SHORTER_SIDE * long, tf.float64) / tf.cast(short, tf.float64), tf.int32
    )
    new_h = tf.where(h <= w, TIMM_SHORTER_SIDE, new_long)
    new_w = tf.where(h <= w, new_long, TIMM_SHORTER_SIDE)
    # torchvision CenterCrop: int(round((size - 299) / 2.0)), Python's round half to even.
    top = tf.cast(tf.math.round(tf.cast(new_h - IMAGE_SIZE, tf.float64) / 2.0), tf.int32)
    left = tf.cast(tf.math.round(tf.cast(new_w - IMAGE_SIZE, tf.float64) / 2.0), tf.int32)
    cols = _pil_bicubic_taps(w, new_w, left, IMAGE_SIZE)
    rows = _pil_bicubic_taps(h, new_h, top, IMAGE_SIZE)
    return _resample(image, cols, rows, _pil_clip8, _pil_clip8)


def _timm_normalize(x):
    return (x / 255.0 - 0.5) / 0.5


PROTOCOLS: dict[str, Protocol] = {
    p.name: p
    for p in [
        Protocol(
            "slim",
            "tensorflow/models research/slim/preprocessing/inception_preprocessing.py, "
            "preprocess_for_eval(central_fraction=0.875)",
            "central_crop 0.875; TF1 bilinear resize to 299x299 (no half-pixel centres); "
            "(x - 0.5) * 2",
            _slim_resize,
            _slim_normalize,
        ),
        Protocol(
            "keras-applications",
            "keras-team/keras-applications README and issue #88; taehoonlee/tensornets "
            "tests/all_imagenet_models.py and tensornets/utils.py (load_img, crop)",
            "shorter side to 341 with cv2 INTER_CUBIC; centre crop 299; x / 127.5 - 1",
            _keras_resize,
            _keras_normalize,
        ),
        Protocol(
            "timm",
            "huggingface/pytorch-image-models timm/data/transforms_factory.py "
            "(transforms_imagenet_eval) with inception_resnet_v2.tf_in1k: crop_pct 0.8975, "
            "bicubic",
            "shorter side to 333 with Pillow BICUBIC; centre crop 299; (x / 255 - 0.5) / 0.5",
            _timm_resize,
            _timm_normalize,
        ),
    ]
}


def get(name: str) -> Protocol:
    try:
        return PROTOCOLS[name]
    except KeyError:
        known = ", ".join(PROTOCOLS)
        raise UsageError(f"unknown protocol {name!r}; choose one of: {known}") from None
