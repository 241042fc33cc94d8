"""One evaluation: TFDS validation split -> protocol -> model on every visible GPU -> metrics."""

from __future__ import annotations

import datetime
import os
import platform
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import numpy as np
import tensorflow as tf

from inception_repro.errors import UsageError
from inception_repro.evaluate import checkpoints, data, metrics, protocols, weights
from inception_repro.evaluate.config import EvalConfig, check

PER_GPU_BATCH = 64
CPU_BATCH = 16
SLIM_CLASSES = 1001  # TF-Slim checkpoints: index 0 is "background", Keras class i is i + 1
# A batch is padded to its largest image: 64 ImageNet-typical 500x375 images take 36 MB, 64
# padded to a 12-megapixel photo 2.3 GB. Images over LARGE_PIXELS are therefore left out of the
# main pass and evaluated after it, in a pass of their own, in batches LARGE_BATCH_DIVISOR
# times smaller.
LARGE_PIXELS = 1_000_000
LARGE_BATCH_DIVISOR = 8


def gpu_names() -> list[str]:
    """The GPUs TensorFlow sees, by name. The evaluation asks nothing else about the machine's
    accelerators, so a test can stand in for either kind of machine by replacing this."""
    names = []
    for gpu in tf.config.list_physical_devices("GPU"):
        details = tf.config.experimental.get_device_details(gpu)
        names.append(details.get("device_name", gpu.name))
    return names


def require_device(allow_cpu: bool) -> None:
    if not gpu_names() and not allow_cpu:
        raise UsageError(
            "no GPU is visible to TensorFlow (install tensorflow[and-cuda] and check "
            "nvidia-smi): the full evaluation would take many hours on a CPU; pass --allow-cpu "
            "to run on the CPU anyway, for example with --limit"
        )


def input_pipeline(data_dir, protocol, batch_size, limit=None, only=None):
    """Batches of (decoded images, their heights and widths, labels, validation indices).

    The CPU parses and decodes each record in one parallel step, with the protocol's decoder,
    and batches the images as they are, each one's bytes padded to the batch's largest (the
    layout of protocols.Protocol.resize_batch; batching flat bytes costs less than padding both
    sides); the protocol's crop and resize run beside the model (`_step`).
    Images over LARGE_PIXELS are left out, unless `only` is given: then the images with those
    validation indices, of any size. With a limit, only validation indices 1..limit.
    """
    ds, parse = data.read(data_dir)
    if limit is not None:
        ds = ds.filter(lambda record: data.validation_index(parse(record)["file_name"]) <= limit)
    if only is not None:
        wanted = tf.constant(sorted(only), tf.int32)
        ds = ds.filter(
            lambda record: tf.reduce_any(
                data.validation_index(parse(record)["file_name"]) == wanted
            )
        )

    def prepare(record):
        ex = parse(record)
        image = protocol.decode(ex["image"])
        size, index = tf.shape(image)[:2], data.validation_index(ex["file_name"])
        return tf.reshape(image, [-1]), size, ex["label"], index

    ds = ds.map(prepare, num_parallel_calls=tf.data.AUTOTUNE, deterministic=False)
    if only is None:
        ds = ds.filter(lambda image, size, *_: tf.reduce_prod(size) <= LARGE_PIXELS)
    return one_thread_per_core(ds.padded_batch(batch_size).prefetch(tf.data.AUTOTUNE))


def one_thread_per_core(ds):
    """ds on a thread pool of its own, one thread per core: TensorFlow's shared pool has more
    threads than cores, which made the pipeline a few percent slower on 2 cores (measured with
    benchmark.py; docs/evaluation.md)."""
    options = tf.data.Options()
    options.threading.private_threadpool_size = cpu_cores()
    return ds.with_options(options)


def resolve_weights(model_id: str, path=None):
    """What to evaluate: a TF-Slim checkpoint for the models TF-Slim released one of
    (checkpoints.py), else a Keras .h5 weights file (weights.py); `path`, or the released one."""
    if model_id in checkpoints.RELEASED_CHECKPOINTS:
        return checkpoints.resolve(model_id, path)
    return weights.resolve(model_id, path)


def registry_model(model_id: str, weights_file) -> Callable:
    """A builder of the registry's model with the weights loaded.

    Called inside the distribution scope, so the variables are mirrored on every GPU; the
    model is a fresh one, so the registry's cached models never get weights.
    """
    from inception_repro import registry

    def build():
        model = registry.for_weights(model_id, (protocols.IMAGE_SIZE,) * 2).model
        if isinstance(weights_file, checkpoints.CheckpointFile):
            checkpoints.load(model, weights_file, model_id)
        else:
            weights.load(model, weights_file, model_id)
        return model

    return build


@dataclass(frozen=True)
class Labels:
    """How the model's outputs line up with TFDS's labels 0..999."""

    offset: int  # added to a TFDS label: 1 where output 0 is TF-Slim's background
    drop_background: bool  # output 0 (background) is left out of the ranking
    description: str


def labels(model, model_id: str, protocol: protocols.Protocol) -> Labels:
    """1000 outputs: as they are. TF-Slim's 1001 (0 = background): every output ranked, labels
    shifted by one, when the protocol ranks background (slim); else output 0 dropped."""
    classes = int(model.outputs[0].shape[-1])
    if classes == 1000:
        return Labels(0, False, "1000 classes, TFDS order")
    if classes == SLIM_CLASSES and protocol.ranks_background:
        return Labels(1, False, "TF-Slim 1001 classes: label + 1")
    if classes == SLIM_CLASSES:
        return Labels(0, True, "TF-Slim 1001 classes, background output dropped: 1000 classes")
    raise UsageError(f"{model_id} has {classes} outputs; ImageNet evaluation needs 1000 or 1001")


def _step(strategy, model, protocol, element_spec, drop_background):
    # Batches differ in their padded length: traced once, for any.
    @tf.function(input_signature=element_spec)
    def step(images, sizes, labels, indices):
        def replica(images, sizes, labels, indices):
            x = protocol.normalize(protocol.resize_batch(images, sizes))
            out = model(x, training=False)
            if isinstance(out, (list, tuple)):
                out = out[0]  # slim models also return the auxiliary logits
            if drop_background:
                out = out[:, 1:]
            return tf.math.top_k(out, k=metrics.TOP_K).indices, labels, indices

        return strategy.run(replica, args=(images, sizes, labels, indices))

    return step


def _host(strategy, value) -> np.ndarray:
    return np.concatenate([np.asarray(v) for v in strategy.experimental_local_results(value)])


def _run_loop(strategy, step, dataset, acc, offset, bar, data_dir) -> None:
    for batch in _batches(dataset, data_dir):
        top5, labels, indices = (_host(strategy, v) for v in step(*batch))
        acc.update(labels + offset, top5, indices)
        bar.update(len(labels))


def _batches(dataset, data_dir):
    """The dataset's batches. An image that does not decode (in a split built without the tar
    check, by an earlier version or another tool) is a DataError naming the split and the fix,
    not TensorFlow's traceback; an error in the model's step is not caught here."""
    iterator = iter(dataset)
    while True:
        try:
            batch = next(iterator)
        except StopIteration:
            return
        except tf.errors.InvalidArgumentError as e:
            if "jpeg" not in e.message.lower():  # something else than the image: a traceback
                raise
            raise data.undecodable(data_dir, e.message) from None
        yield batch


def _run_passes(strategy, model, protocol, cfg, batch, acc, label, total) -> tuple[float, int]:
    """The main pass, then the large images it left out; (wall seconds, large images)."""
    from tqdm import tqdm

    main = strategy.experimental_distribute_dataset(
        input_pipeline(cfg.data_dir, protocol, batch, cfg.limit)
    )
    step = _step(strategy, model, protocol, main.element_spec, label.drop_background)
    started = time.perf_counter()
    with tqdm(total=total, unit="img", disable=not cfg.progress, desc="eval") as bar:
        _run_loop(strategy, step, main, acc, label.offset, bar, cfg.data_dir)
        in_main = acc.counts().n
        if left_out := acc.missing(total):
            small_batch = max(1, batch // LARGE_BATCH_DIVISOR)
            rest = input_pipeline(cfg.data_dir, protocol, small_batch, only=left_out)
            rest = strategy.experimental_distribute_dataset(rest)
            _run_loop(strategy, step, rest, acc, label.offset, bar, cfg.data_dir)
    return time.perf_counter() - started, acc.counts().n - in_main


def evaluate(cfg: EvalConfig, build: Callable | None = None) -> dict:
    """Run one evaluation and return its results record.

    `build` makes the Keras model, weights loaded, inside the distribution scope; by default
    it is the registry's model with the weights of cfg.weights or the released file.
    """
    check(cfg)
    protocol = protocols.get(cfg.protocol, cfg.model_id)
    require_device(cfg.allow_cpu)
    blacklist = data.read_blacklist(cfg.blacklist) if cfg.blacklist else None
    # A local weights file is checked before the split is built (minutes on the real tar); the
    # data before any weights download, so that its problems are found offline.
    weights_file = None
    if build is None and cfg.weights is not None:
        weights_file = resolve_weights(cfg.model_id, cfg.weights)
    source = data.prepare(cfg.manual_dir, cfg.data_dir)
    if build is None:
        weights_file = weights_file or resolve_weights(cfg.model_id)
        build = registry_model(cfg.model_id, weights_file)
    # Full float32 arithmetic, as the reported numbers were measured (Ampere and later GPUs
    # would otherwise run the convolutions in TF32).
    tf.config.experimental.enable_tensor_float_32_execution(False)
    strategy = tf.distribute.MirroredStrategy()
    with strategy.scope():
        model = build()
    label = labels(model, cfg.model_id, protocol)
    batch = cfg.batch_size or (PER_GPU_BATCH * len(gpu_names()) or CPU_BATCH)
    in_split = data.split_size(cfg.data_dir)
    acc = metrics.Accumulator(blacklist)
    total = min(cfg.limit or in_split, in_split)
    wall, large = _run_passes(strategy, model, protocol, cfg, batch, acc, label, total)
    if acc.duplicates():
        raise data.DataError(f"the build in {cfg.data_dir} holds a validation image twice")
    return {
        "model": cfg.model_id,
        "protocol": {
            "name": protocol.name,
            "source": protocol.source,
            "decoder": protocol.decoder,
            "steps": protocol.steps,
            "ranks_background": protocol.ranks_background,
        },
        "labels": label.description,
        **_metrics(acc, cfg),
        "dataset": _dataset(cfg, source, in_split),
        "weights": None if weights_file is None else weights_file.as_dict(),
        "batch_size": batch,
        "large_images": large,
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
    return {"gpus": gpu_names(), "cpu": _cpu_name(), "cpu_cores": cpu_cores()}


def cpu_cores() -> int:
    """The cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()


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
