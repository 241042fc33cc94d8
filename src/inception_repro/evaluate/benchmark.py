"""Input pipeline throughput against raw JPEG decoding, on generated ImageNet-sized JPEGs.

    python -m inception_repro.evaluate.benchmark [--images 256] [--repeats 3] [--out FILE]

It writes a fake ILSVRC2012_img_val.tar of photo-like JPEGs (ImageNet's usual sizes, around
ImageNet's 130 KB per image), builds the TFDS split from it exactly as `eval` does, and
measures, best of --repeats passes:
  raw decode        tf.io.decode_jpeg alone, in parallel on all cores, from bytes in memory
  records + decode  reading the TFDS records and decoding, in parallel
  pipeline          the evaluation input pipeline (TFDS records, decode, protocol, batch,
                    prefetch) with no model, for each protocol
No model runs, so no accelerator is needed.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import numpy as np
import tensorflow as tf

from inception_repro.evaluate import data, protocols, run

# (height, width), cycled: ImageNet's validation images are mostly 500 px on the long side.
SIZES = [(375, 500), (500, 375), (333, 500), (375, 500), (500, 333), (500, 500), (375, 500),
         (480, 640), (375, 500), (500, 400)]  # fmt: skip
QUALITY = 90
BATCH = 64


def photo(height, width, rng) -> np.ndarray:
    """Smooth structure at three scales plus grain: JPEG sizes like photographs'."""
    image = np.zeros((height, width, 3), np.float32)
    for cells, amplitude in ((4, 60.0), (16, 40.0), (64, 25.0)):
        coarse = rng.normal(0.0, 1.0, (1, cells + 1, cells + 1, 3)).astype(np.float32)
        image += amplitude * tf.image.resize(coarse, [height, width], "bicubic")[0].numpy()
    image += rng.normal(0.0, 26.0, image.shape)
    return np.clip(image + 128.0, 0, 255).astype(np.uint8)


def write_tar(folder: Path, count: int, seed: int = 0) -> list[bytes]:
    import io
    import tarfile

    rng = np.random.default_rng(seed)
    jpegs = []
    folder.mkdir(parents=True, exist_ok=True)
    with tarfile.open(folder / data.VAL_TAR, "w") as tar:
        for i in range(count):
            h, w = SIZES[i % len(SIZES)]
            jpeg = tf.io.encode_jpeg(photo(h, w, rng), quality=QUALITY).numpy()
            info = tarfile.TarInfo(data.member_name(i + 1))
            info.size = len(jpeg)
            tar.addfile(info, io.BytesIO(jpeg))
            jpegs.append(jpeg)
    return jpegs


def _rate(make_dataset, images: int, repeats: int) -> float:
    best = 0.0
    for _ in range(repeats):
        started = time.perf_counter()
        for _ in make_dataset():
            pass
        best = max(best, images / (time.perf_counter() - started))
    return best


def _decoded(jpeg):
    # One pixel of the decoded image: the whole image is decoded, and the results batch
    # like the pipeline's, so no side pays Python's cost per element.
    return tf.io.decode_jpeg(jpeg, channels=3)[0, 0]


def decode_rate(jpegs, repeats) -> float:
    """Raw JPEG decoding, in parallel, from bytes in memory."""

    def make():
        ds = tf.data.Dataset.from_tensor_slices(jpegs)
        ds = ds.map(_decoded, num_parallel_calls=tf.data.AUTOTUNE)
        return ds.batch(BATCH).prefetch(tf.data.AUTOTUNE)

    return _rate(make, len(jpegs), repeats)


def records_decode_rate(data_dir, images, repeats) -> float:
    """Reading the TFDS records and decoding, in parallel: the pipeline without its protocol."""

    def make():
        ds = data.load(data_dir).map(lambda ex: _decoded(ex["image"]), tf.data.AUTOTUNE)
        return ds.batch(BATCH).prefetch(tf.data.AUTOTUNE)

    return _rate(make, images, repeats)


def pipeline_rate(data_dir, protocol, images, repeats) -> float:
    return _rate(lambda: run.input_pipeline(data_dir, protocol, BATCH), images, repeats)


def measure(work_dir: Path, images: int, repeats: int) -> dict:
    jpegs = write_tar(work_dir / "manual", images)
    data.prepare(work_dir / "manual", work_dir / "data")
    jpegs = tf.constant(jpegs)
    result = {
        "images": images,
        "mean_jpeg_kb": float(np.mean([len(j) for j in jpegs.numpy()]) / 1024),
        "cpu_cores": run.devices()["cpu_cores"],
        "cpu": run.devices()["cpu"],
        "decode": decode_rate(jpegs, repeats),
        "records_decode": records_decode_rate(work_dir / "data", images, repeats),
        "pipeline": {},
    }
    for name, protocol in protocols.PROTOCOLS.items():
        result["pipeline"][name] = pipeline_rate(work_dir / "data", protocol, images, repeats)
    return result


def table(result: dict) -> str:
    decode, records = result["decode"], result["records_decode"]
    lines = [
        f"{result['images']} JPEGs, mean {result['mean_jpeg_kb']:.0f} KB, "
        f"{result['cpu_cores']} cores ({result['cpu']})",
        "",
        "| measured | images/s | of raw decode | of records + decode |",
        "|---|---|---|---|",
        f"| raw decode (JPEG bytes in memory) | {decode:.0f} | 100% | |",
        f"| TFDS records + decode | {records:.0f} | {records / decode:.0%} | 100% |",
    ]
    for name, rate in result["pipeline"].items():
        lines.append(
            f"| pipeline, {name} | {rate:.0f} | {rate / decode:.0%} | {rate / records:.0%} |"
        )
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=256)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", type=Path, help="also write the numbers as JSON here")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="inception-repro-bench-") as tmp:
        result = measure(Path(tmp), args.images, args.repeats)
    print(table(result))
    if args.out:
        args.out.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
