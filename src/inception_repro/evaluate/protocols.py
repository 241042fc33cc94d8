"""The evaluation preprocessings whose numbers are reported for Inception-ResNet-v2.

Each protocol decodes a JPEG as its library does, crops and resizes the uint8 image to
299x299x3, then scales it to [-1, 1]; `preprocess_jpeg` does all of it for one file. The work
of a batch is split so that the CPU only decodes: the input pipeline batches the decoded images
as they are, each one's bytes (row by row) at the start of its batch row, padded to the batch's
largest, with its height and width; the crop and resize (`resize_batch`) and the scaling
(`normalize`) run beside the model, on the accelerator. `resize` and `preprocess` do the same
for one image.

Decoding (docs/evaluation.md, "Decoding"): libjpeg's IDCT differs between libraries. TF's
tf.io.decode_jpeg defaults to the fast integer IDCT (INTEGER_FAST); Pillow and OpenCV use
libjpeg's accurate one (ISLOW), which TF calls INTEGER_ACCURATE and which is bit-identical to
both. Each protocol decodes as the library it reproduces.

slim
    TF-Slim preprocessing/inception_preprocessing.py, preprocess_for_eval (the slim README's
    eval_image_classifier.py numbers), after TF-Slim's tf.image.decode_jpeg(channels=3) with
    TF's default IDCT (INTEGER_FAST): convert to float, tf.image.central_crop(0.875), which
    keeps the aspect ratio, then TF1's resize_bilinear to 299x299 (squashing; align_corners and
    half_pixel_centers both False), then (x - 0.5) * 2.
keras-applications
    The recipe behind the keras-applications README table (its author in
    keras-team/keras-applications#88; tensornets tests/all_imagenet_models.py and utils.py):
    decode with cv2.imread (libjpeg's accurate IDCT: INTEGER_ACCURATE), BGR to RGB,
    resize the shorter side to 341 = 299 * 8 // 7 (the longer one to floor(side * 341 / short))
    with OpenCV's cv2.resize INTER_CUBIC, crop the centre 299x299 at ((H - 299) // 2,
    (W - 299) // 2), then keras preprocess_input mode "tf": x / 127.5 - 1.
timm
    pytorch-image-models transforms_imagenet_eval with the model's pretrained config
    (TIMM_CONFIGS; inception_resnet_v2.tf_in1k: crop_pct 0.8975, inception_v4.tf_in1k: 0.875;
    both bicubic): PIL.Image.open(...).convert("RGB") (libjpeg's accurate IDCT:
    INTEGER_ACCURATE), torchvision Resize(floor(299 / crop_pct), 333 or 341) on the PIL image,
    that is the shorter side to it and the longer to int(side * long / short), resampled by
    Pillow's BICUBIC; CenterCrop(299), whose offsets are Python round((size - 299) / 2); then
    ToTensor and Normalize(mean 0.5, std 0.5). timm's ports of TF-Slim weights have 1000
    classes (the background row dropped), so a 1001-class model's background output is not
    ranked; only the slim protocol ranks it, as TF-Slim's own evaluation does.

OpenCV and Pillow are not dependencies of the package (the `test` extra has them, as judges):
their resamplers are re-implemented from their sources
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

import numpy as np
import tensorflow as tf

from inception_repro.errors import UsageError

IMAGE_SIZE = 299
SLIM_CENTRAL_FRACTION = 0.875
KERAS_SHORTER_SIDE = IMAGE_SIZE * 8 // 7  # 341
CV2_CUBIC_A = -0.75  # OpenCV interpolateCubic
PIL_CUBIC_A = -0.5  # Pillow bicubic_filter
PIL_CUBIC_SUPPORT = 2.0
PIL_PRECISION_BITS = 22  # libImaging/Resample.c: 32 - 8 - 2
PIL_COEF_SCALE = float(1 << PIL_PRECISION_BITS)

# tf.io.decode_jpeg's dct_method: INTEGER_FAST is TF's default ("" means it), INTEGER_ACCURATE
# is libjpeg's JDCT_ISLOW, what Pillow and OpenCV decode with.
DECODERS = ("INTEGER_FAST", "INTEGER_ACCURATE")

# Taps: for each image of a batch and each of the 299 output rows (or columns), K source
# indices and K weights, [B, 299, K] each. Sizes: [B, 2], each image's height and width.
# Images: uint8 [B, L], image b's height * width * 3 bytes first, then padding.


@dataclass(frozen=True)
class Protocol:
    name: str
    source: str
    steps: str
    decoder: str  # one of DECODERS
    taps: Callable  # sizes [B, 2] -> (row taps, column taps)
    sample: Callable  # (read columns, row taps, column taps) -> [B, 299, 299, 3]
    normalize: Callable[[tf.Tensor], tf.Tensor]
    # A 1001-class TF-Slim model's output 0 (background) is ranked with the 1000 classes only
    # by TF-Slim's own evaluation; the reporters of the other protocols ran 1000-class ports.
    ranks_background: bool = False

    def __post_init__(self):
        if self.decoder not in DECODERS:
            raise ValueError(f"{self.name}: decoder {self.decoder!r} is not one of {DECODERS}")

    def decode(self, jpeg: tf.Tensor) -> tf.Tensor:
        """JPEG bytes -> uint8 [H, W, 3], as this protocol's library decodes them (a grayscale
        file's one channel repeated)."""
        return tf.io.decode_jpeg(jpeg, channels=3, dct_method=self.decoder)

    def resize_batch(self, images: tf.Tensor, sizes: tf.Tensor) -> tf.Tensor:
        """uint8 images [B, L] and their sizes [B, 2] -> float32 [B, 299, 299, 3] on the
        0..255 scale."""
        rows, cols = self.taps(sizes)
        return self.sample(_column_reader(images, sizes), rows, cols)

    def resize(self, image: tf.Tensor) -> tf.Tensor:
        """uint8 [H, W, 3] -> float32 [299, 299, 3] on the 0..255 scale."""
        flat, size = tf.reshape(image, [1, -1]), tf.shape(image)[tf.newaxis, :2]
        return self.resize_batch(flat, size)[0]

    def preprocess(self, image: tf.Tensor) -> tf.Tensor:
        """uint8 [H, W, 3] -> float32 [299, 299, 3] in [-1, 1]."""
        return self.normalize(self.resize(image))

    def preprocess_jpeg(self, jpeg_bytes: bytes) -> np.ndarray:
        """How this protocol sees a JPEG file: float32 [299, 299, 3] in [-1, 1]. The same
        arithmetic as the evaluation's batches (decode, resize_batch, normalize)."""
        return self.preprocess(self.decode(tf.constant(jpeg_bytes))).numpy()


def _column_reader(images, sizes):
    """columns(idx [B, 299]): every row of each image at its columns idx[b], as float32
    [B, H, 299, 3], H the batch's largest height (rows past an image's own repeat its last)."""
    heights, widths = sizes[:, 0], sizes[:, 1]
    pixels = tf.reshape(images, [tf.shape(images)[0], -1, 3])
    rows = tf.minimum(tf.range(tf.reduce_max(heights))[tf.newaxis], heights[:, None] - 1)
    row_starts = (rows * widths[:, None])[:, :, tf.newaxis]

    def columns(idx):
        flat = row_starts + idx[:, tf.newaxis, :]
        return tf.cast(tf.gather(pixels, flat, batch_dims=1), tf.float32)

    return columns


def _row_reader(x):
    """rows(idx [B, 299]): x [B, H, 299, 3] at its rows idx[b], [B, 299, 299, 3]."""
    return lambda idx: tf.gather(x, idx, axis=1, batch_dims=1)


def _per_column(weights):
    return weights[:, tf.newaxis, :, tf.newaxis]  # [B, 299] scaling [B, H, 299, 3]


def _per_row(weights):
    return weights[:, :, tf.newaxis, tf.newaxis]  # [B, 299] scaling [B, 299, 299, 3]


# --- slim -------------------------------------------------------------------------------------


def _slim_axis(size):
    """tf.image.central_crop(0.875) then TF1 ResizeBilinear (legacy scaler) along one axis:
    taps (lower, upper) [B, 299, 2] and the upper one's weight [B, 299].

    central_crop: start = int((size - size * 0.875) / 2) in float64, length size - 2 * start.
    resize_bilinear_op.cc: scale = length / 299.f, in = out * scale, lower = floor(in),
    upper = min(ceil(in), length - 1), lerp = in - floor(in), all in float32.
    """
    size64 = tf.cast(size, tf.float64)
    start = tf.cast((size64 - size64 * SLIM_CENTRAL_FRACTION) / 2, tf.int32)
    length = size - 2 * start
    scale = tf.cast(length, tf.float32) / float(IMAGE_SIZE)
    pos = tf.cast(tf.range(IMAGE_SIZE), tf.float32)[tf.newaxis] * scale[:, tf.newaxis]
    lower = tf.floor(pos)
    upper = tf.minimum(tf.math.ceil(pos), tf.cast(length - 1, tf.float32)[:, tf.newaxis])
    idx = tf.cast(tf.stack([lower, upper], axis=-1), tf.int32) + start[:, None, None]
    return idx, pos - lower


def _slim_taps(sizes):
    return _slim_axis(sizes[:, 0]), _slim_axis(sizes[:, 1])


def _lerp(read, taps, per_output):
    # ResizeBilinear's own arithmetic: a + (b - a) * lerp.
    idx, lerp = taps
    a, b = read(idx[..., 0]), read(idx[..., 1])
    return a + (b - a) * per_output(lerp)


def _slim_sample(columns, rows, cols):
    x = _lerp(columns, cols, _per_column)  # columns first, as ResizeBilinear
    return _lerp(_row_reader(x), rows, _per_row)


def _slim_normalize(x):
    x = x * (1.0 / 255.0)  # what convert_image_dtype did before the (linear) resize
    return (x - 0.5) * 2.0


# --- shared separable resampling ---------------------------------------------------------------


def _weighted(read, taps, per_output):
    """sum over k of w[b, n, k] * read(idx[b, n, k]), added in tap order."""
    idx, w = taps

    def term(k):
        return read(idx[..., k]) * per_output(w[..., k])

    _, total = tf.while_loop(
        lambda k, _: k < tf.shape(idx)[-1],
        lambda k, total: (k + 1, total + term(k)),
        (1, term(0)),
    )
    return total


def _separable(between, out):
    """Horizontal pass first, as in OpenCV and Pillow; `between` turns its sums into the
    vertical pass's input, `out` the vertical sums into 0..255."""

    def sample(columns, rows, cols):
        x = between(_weighted(columns, cols, _per_column))
        return out(_weighted(_row_reader(x), rows, _per_row))

    return sample


def _outputs(first):
    """Output pixel numbers first .. first + 298 of each image: [B, 299] float64."""
    return tf.cast(first[:, tf.newaxis] + tf.range(IMAGE_SIZE)[tf.newaxis], tf.float64)


# --- keras-applications (OpenCV INTER_CUBIC) ---------------------------------------------------


def _cv2_cubic_taps(in_size, out_size, first):
    """Taps of cv2.resize INTER_CUBIC for output pixels first .. first + 298.

    OpenCV imgproc/src/resize.cpp: fx = (float)((d + 0.5) * in / out - 0.5), source pixels
    floor(fx) - 1 .. floor(fx) + 2 clamped to the image (replicated border), interpolateCubic
    weights (Keys kernel, A = -0.75, the last one 1 minus the others).
    """
    scale = tf.cast(in_size, tf.float64) / tf.cast(out_size, tf.float64)
    f = tf.cast((_outputs(first) + 0.5) * scale[:, tf.newaxis] - 0.5, tf.float32)
    s = tf.floor(f)
    x = (f - s)[..., tf.newaxis]
    a = CV2_CUBIC_A
    c0 = ((a * (x + 1) - 5 * a) * (x + 1) + 8 * a) * (x + 1) - 4 * a
    c1 = ((a + 2) * x - (a + 3)) * x * x + 1
    c2 = ((a + 2) * (1 - x) - (a + 3)) * (1 - x) * (1 - x) + 1
    w = tf.concat([c0, c1, c2, 1.0 - c0 - c1 - c2], axis=-1)
    idx = tf.cast(s, tf.int32)[..., tf.newaxis] + [-1, 0, 1, 2]
    return tf.clip_by_value(idx, 0, in_size[:, None, None] - 1), w


def _keras_taps(sizes):
    h, w = sizes[:, 0], sizes[:, 1]
    short = tf.minimum(h, w)
    new_h, new_w = h * KERAS_SHORTER_SIDE // short, w * KERAS_SHORTER_SIDE // short
    top, left = (new_h - IMAGE_SIZE) // 2, (new_w - IMAGE_SIZE) // 2
    return _cv2_cubic_taps(h, new_h, top), _cv2_cubic_taps(w, new_w, left)


def _cv2_out(x):
    # Round to nearest (ties to even) and saturate to 0..255.
    return tf.clip_by_value(tf.round(x), 0.0, 255.0)


_keras_sample = _separable(tf.identity, _cv2_out)


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


def _pil_bicubic_taps(in_size, out_size, first):
    """Taps of Pillow's BICUBIC resize for output pixels first .. first + 298.

    Pillow libImaging/Resample.c, precompute_coeffs: scale = in / out, the filter widened by
    max(scale, 1) when shrinking (antialiasing), centre = (d + 0.5) * scale, source pixels
    int(centre - support + 0.5) .. int(centre + support + 0.5) - 1 cut to the image, weights
    bicubic_filter((pixel - centre + 0.5) / max(scale, 1)) divided by their sum, then
    normalize_coeffs_8bpc rounds them (half away from zero) to 22-bit fixed point.
    """
    scale = (tf.cast(in_size, tf.float64) / tf.cast(out_size, tf.float64))[:, tf.newaxis]
    filterscale = tf.maximum(scale, 1.0)
    support = PIL_CUBIC_SUPPORT * filterscale
    centre = (_outputs(first) + 0.5) * scale
    lo = tf.maximum(tf.floor(centre - support + 0.5), 0.0)
    hi = tf.minimum(tf.floor(centre + support + 0.5), tf.cast(in_size, tf.float64)[:, None])
    # The batch's widest window, not Pillow's ksize (ceil(support) * 2 + 1): the taps beyond
    # a window have weight 0, so dropping them changes no sum and saves their work.
    taps = tf.cast(tf.reduce_max(hi - lo), tf.int32)
    pos = lo[..., tf.newaxis] + tf.cast(tf.range(taps), tf.float64)
    w = _pil_bicubic((pos - centre[..., tf.newaxis] + 0.5) / filterscale[..., tf.newaxis])
    w = tf.where(pos < hi[..., tf.newaxis], w, tf.zeros_like(w))
    w = w / tf.reduce_sum(w, axis=-1, keepdims=True) * PIL_COEF_SCALE
    w = tf.where(w < 0, tf.math.ceil(w - 0.5), tf.floor(w + 0.5))  # round half away from zero
    idx = tf.minimum(tf.cast(pos, tf.int32), in_size[:, None, None] - 1)
    return idx, tf.cast(w / PIL_COEF_SCALE, tf.float32)


def _pil_clip8(x):
    """Pillow's clip8, (sum + 2**21) >> 22 saturated to 0..255, on the float sum."""
    return tf.clip_by_value(tf.floor(x + 0.5), 0.0, 255.0)


@dataclass(frozen=True)
class TimmConfig:
    """A model's pretrained config in timm (timm/models/*.py default_cfgs)."""

    name: str
    crop_pct: float

    @property
    def shorter_side(self) -> int:
        return int(IMAGE_SIZE / self.crop_pct)  # math.floor, as transforms_imagenet_eval


TIMM_IRV2 = TimmConfig("inception_resnet_v2.tf_in1k", 0.8975)
# The timm config each model is evaluated with under the timm protocol: the crop is per model.
TIMM_CONFIGS = {
    "keras-inception-resnet-v2": TIMM_IRV2,
    "tfkeras-inception-resnet-v2": TIMM_IRV2,
    "slim-inception-resnet-v2": TIMM_IRV2,
    "slim-inception-v4": TimmConfig("inception_v4.tf_in1k", 0.875),
}


def _timm_taps(config: TimmConfig):
    side = config.shorter_side

    def taps(sizes):
        h, w = sizes[:, 0], sizes[:, 1]
        short, long = tf.minimum(h, w), tf.maximum(h, w)
        new_long = tf.cast(tf.cast(side * long, tf.float64) / tf.cast(short, tf.float64), tf.int32)
        new_h = tf.where(h <= w, side, new_long)
        new_w = tf.where(h <= w, new_long, side)
        # torchvision CenterCrop: int(round((size - 299) / 2.0)), Python's round half to even.
        top = tf.cast(tf.math.round(tf.cast(new_h - IMAGE_SIZE, tf.float64) / 2.0), tf.int32)
        left = tf.cast(tf.math.round(tf.cast(new_w - IMAGE_SIZE, tf.float64) / 2.0), tf.int32)
        return _pil_bicubic_taps(h, new_h, top), _pil_bicubic_taps(w, new_w, left)

    return taps


_timm_sample = _separable(_pil_clip8, _pil_clip8)


def _timm_normalize(x):
    return (x / 255.0 - 0.5) / 0.5


def _timm(config: TimmConfig) -> Protocol:
    return Protocol(
        "timm",
        "huggingface/pytorch-image-models timm/data/transforms_factory.py "
        f"(transforms_imagenet_eval) with {config.name}: crop_pct {config.crop_pct}, bicubic",
        f"libjpeg's accurate IDCT, as Pillow; shorter side to {config.shorter_side} with Pillow "
        "BICUBIC; centre crop 299; (x / 255 - 0.5) / 0.5",
        "INTEGER_ACCURATE",
        _timm_taps(config),
        _timm_sample,
        _timm_normalize,
    )


PROTOCOLS: dict[str, Protocol] = {
    p.name: p
    for p in [
        Protocol(
            "slim",
            "tensorflow/models research/slim/preprocessing/inception_preprocessing.py, "
            "preprocess_for_eval(central_fraction=0.875)",
            "TF's default JPEG decoder; central_crop 0.875; TF1 bilinear resize to 299x299 (no "
            "half-pixel centres); (x - 0.5) * 2",
            "INTEGER_FAST",
            _slim_taps,
            _slim_sample,
            _slim_normalize,
            ranks_background=True,
        ),
        Protocol(
            "keras-applications",
            "keras-team/keras-applications README and issue #88; taehoonlee/tensornets "
            "tests/all_imagenet_models.py and tensornets/utils.py (load_img, crop)",
            "libjpeg's accurate IDCT, as cv2.imread; shorter side to 341 with cv2 INTER_CUBIC; "
            "centre crop 299; x / 127.5 - 1",
            "INTEGER_ACCURATE",
            _keras_taps,
            _keras_sample,
            _keras_normalize,
        ),
        _timm(TIMM_IRV2),
    ]
}


def get(name: str, model_id: str | None = None) -> Protocol:
    """The protocol `name` as it applies to `model_id`: under timm, with the model's own timm
    config (TIMM_CONFIGS); without a model, the timm protocol is Inception-ResNet-v2's."""
    try:
        protocol = PROTOCOLS[name]
    except KeyError:
        known = ", ".join(PROTOCOLS)
        raise UsageError(f"unknown protocol {name!r}; choose one of: {known}") from None
    if name != "timm" or model_id is None:
        return protocol
    if model_id not in TIMM_CONFIGS:
        raise UsageError(
            f"the timm protocol has no timm config for {model_id} (its crop fraction is per "
            f"model); it is known for {', '.join(TIMM_CONFIGS)}: choose another protocol"
        )
    return _timm(TIMM_CONFIGS[model_id])
