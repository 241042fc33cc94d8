"""One evaluation: TFDS validation split -> protocol -> model on every visible GPU -> metrics."""

from __future__ import annotations

import datetime
import os
import platform
import sys
import time
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

import numpy as np
import tensorflow as tf

from inception_repro.errors import UsageError
from inception_repro.evaluate import data, metrics, protocols, weights
from inception_repro.evaluate.config import EvalConfig, check

PER_GPU_BATCH = 64
CPU_BATCH = 16
SLIM_CLASSES = 1001  # TF-Slim checkpoints: index 0 is "background", Keras class i is i + 1


def gpus() -> list:
    return tf.config.list_physical_devices("GPU")


def require_device(allow_cpu: bool) -> None:
    if not gpus() and not allow_cpu:
        raise UsageError(
            "no GPU is visible to TensorFlow (install tensorflow[and-cuda] and check "
            "nvidia-smi): the full evaluation would take many hours on a CPU; pass --allow-cpu "
            "to run on the CPU anyway, for example with --limit"
        )


def input_pipeline(data_dir, protocol, batch_size, limit=None):
    """Batches of (resized image, label, validation index); each record is parsed, decoded and
    resized in one parallel step.

    With a limit, only the images with validation index 1..limit.
    """
    ds, parse = data.read(data_dir)
    if limit is not None:
        ds = ds.filter(lambda record: data.validation_index(parse(record)["file_name"]) <= limit)

    def prepare(record):
        ex = parse(record)
        image = protocol.resize(tf.io.decode_jpeg(ex["image"], channels=3))
        return image, ex["label"], data.validation_index(ex["file_name"])

    ds = ds.map(prepare, num_parallel_calls=tf.data.AUTOTUNE, deterministic=False)
    return ds.batch(batch_size).prefetch(tf.data.AUTOTUNE)


def registry_model(model_id: str, weights_file: weights.WeightsFile) -> Callable:
    """A builder of the registry's model with the weights loaded.

    Called inside the distribution scope, so the variables are mirrored on every GPU; the
    model is a fresh one, so the registry's cached models never get weights.
    """
    from inception_repro import registry

    def build():
        model = registry.fresh_model(model_id, (protocols.IMAGE_SIZE,) * 2)
        weights.load(model, weights_file, model_id)
        return model

    return build


def label_offset(model, model_id: str) -> int:
    """0 for 1000-class models; 1 for TF-Slim's 1001 classes (0 is background)."""
    classes = int(model.outputs[0].shape[-1])
    if classes in (1000, SLIM_CLASSES):
        return classes - 1000
    raise UsageError(f"{model_id} has {classes} outputs; ImageNet evaluation needs 1000 or 1001")


def _step(strategy, model, protocol):
    @tf.function
    def step(images, labels, indices):
        def replica(images, labels, indices):
            out = model(protocol.normalize(tf.cast(images, tf.float32)), training=False)
            if isinstance(out, (list, tuple)):
                out = out[0]  # slim models also return the auxiliary logits
            return tf.math.top_k(out, k=metrics.TOP_K).indices, labels, indices

        return strategy.run(replica, args=(images, labels, indices))

    return step


def _host(strategy, value) -> np.ndarray:
    return np.concatenate([np.asarray(v) for v in strategy.experimental_local_results(value)])


def _run_loop(strategy, step, dataset, acc, offset, total, progress) -> float:
    from tqdm import tqdm

    started = time.perf_counter()
    with tqdm(total=total, unit="img", disable=not progress, desc="eval") as bar:
        for batch in strategy.experimental_distribute_dataset(dataset):
            top5, labels, indices = (_host(strategy, v) for v in step(*batch))
            acc.update(labels + offset, top5, indices)
            bar.update(len(labels))
    return time.perf_counter() - started


def evaluate(cfg: EvalConfig, build: Callable | None = None) -> dict:
    """Run one evaluation and return its results record.

    `build` makes the Keras model, weights loaded, inside the distribution scope; by default
    it is the registry's model with the weights of cfg.weights or the released file.
    """
    check(cfg)
    protocol = protocols.get(cfg.protocol)
    require_device(cfg.allow_cpu)
    blacklist = data.read_blacklist(cfg.blacklist) if cfg.blacklist else None
    # The data first: its problems are found offline, before any weights download.
    source = data.prepare(cfg.manual_dir, cfg.data_dir)
    weights_file = None
    if build is None:
        weights_file = weights.resolve(cfg.model_id, cfg.weights)
        build = registry_model(cfg.model_id, weights_file)
    # Full float32 arithmetic, as the reported numbers were measured (Ampere and later GPUs
    # would otherwise run the convolutions in TF32).
    tf.config.experimental.enable_tensor_float_32_execution(False)
    strategy = tf.distribute.MirroredStrategy()
    with strategy.scope():
        model = build()
    offset = label_offset(model, cfg.model_id)
    batch = cfg.batch_size or (PER_GPU_BATCH * len(gpus()) or CPU_BATCH)
    in_split = data.split_size(cfg.data_dir)
    acc = metrics.Accumulator(blacklist)
    wall = _run_loop(
        strategy,
        _step(strategy, model, protocol),
        input_pipeline(cfg.data_dir, protocol, batch, cfg.limit),
        acc,
        offset,
        min(cfg.limit or in_split, in_split),
        cfg.progress,
    )
    if acc.duplicates():
        raise data.DataError(f"the build in {cfg.data_dir} holds a validation image twice")
    return {
        "model": cfg.model_id,
        "protocol": {"name": protocol.name, "source": protocol.source, "steps": protocol.steps},
        "labels": "TF-Slim 1001 classes: label + 1" if offset else "1000 classes, TFDS order",
        **_metrics(acc, cfg),
        "dataset": _dataset(cfg, source, in_split),
        "weights": None if weights_file is None else weights_file.as_dict(),
        "batch_size": batch,
        "replicas": strategy.num_replicas_in_sync,
        "tensor_float_32": False,
        "devices": devices(),
        "versions": versions(),
        "wall_s": wall,
        "images_per_s": acc.counts().n / wall,
        "finished": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
    }


def _metrics(acc, cfg) -> dict:
    counts, subset = acc.counts(), acc.subset_counts()
    return {
        "n": counts.n,
        "top1": counts.top1,
        "top5": counts.top5,
        "all": counts.as_dict(),
        "non_blacklisted": None if subset is None else subset.as_dict(),
        "blacklist": None if cfg.blacklist is None else str(cfg.blacklist),
        "limit": cfg.limit,
        "full_validation_set": cfg.limit is None and counts.n == data.VAL_IMAGES,
    }


def _dataset(cfg, source, in_split) -> dict:
    tar = None if source is None else {**source.__dict__, "official": source.official}
    return {
        "name": data.DATASET,
        "split": data.SPLIT,
        "data_dir": str(cfg.data_dir),
        "images_in_split": in_split,
        "tar": tar,
    }


def devices() -> dict:
    names = []
    for gpu in gpus():
        details = tf.config.experimental.get_device_details(gpu)
        names.append(details.get("device_name", gpu.name))
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {"gpus": names, "cpu": _cpu_name(), "cpu_cores": cpus}


def _cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def versions() -> dict:
    import inception_repro

    out = {"python": sys.version.split()[0], "inception-repro": inception_repro.__version__}
    for package in ("tensorflow", "keras", "tensorflow-datasets", "numpy"):
        try:
            out[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            out[package] = None
    return out
