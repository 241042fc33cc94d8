"""The released TF-Slim checkpoints: where they are, the names they store, and loading them.

The paper's authors released two TF1 checkpoints through TF-Slim (tensorflow/models
research/slim README.md, "Pre-trained Models"), each a .tar.gz holding one V1 checkpoint file,
with 1001 classes (0 = background). A checkpoint stores variables by name, not by layer order:
the registry's TF-Slim transcriptions carry each conv's and classifier's variable scope
(spec.SLIM_SCOPE), below the network's own scope (InceptionV4, InceptionResnetV2):

    <scope>/weights                  Conv2D kernel [kh, kw, in, out]; Dense kernel [in, out]
    <scope>/biases                   only logits, aux logits and the residual up-projections
    <scope>/BatchNorm/beta           BatchNorm(scale=False): no gamma
    <scope>/BatchNorm/moving_mean
    <scope>/BatchNorm/moving_variance

Loading is all or nothing: every variable of the checkpoint is used (but the training step
counter, BOOKKEEPING) and every weight of the model is filled, with its shape, or nothing is
loaded and a WeightsError names what is missing, unexpected or mis-shaped.
"""

from __future__ import annotations

import hashlib
import tarfile
from dataclasses import dataclass
from pathlib import Path

from inception_repro import files
from inception_repro.evaluate.weights import WeightsError, keras_home
from inception_repro.pinned import golden_file

DOWNLOADS = "http://download.tensorflow.org/models/"
GOLDEN = golden_file("checkpoints.yaml")
# Stored beside the variables by the training loop, read by nothing at inference.
BOOKKEEPING = ("global_step",)
# Keras variable name -> the TF-Slim name below the layer's scope.
SLIM_NAMES = {
    "kernel": "weights",
    "bias": "biases",
    "gamma": "BatchNorm/gamma",
    "beta": "BatchNorm/beta",
    "moving_mean": "BatchNorm/moving_mean",
    "moving_variance": "BatchNorm/moving_variance",
}
SHOWN = 3  # names quoted in an error, before the count of the rest


@dataclass(frozen=True)
class ReleasedCheckpoint:
    model_id: str
    scope: str  # the network's variable scope, the first part of every name
    archive: str  # under DOWNLOADS
    member: str  # the checkpoint file inside the archive

    @property
    def origin(self) -> str:
        return f"{DOWNLOADS}{self.archive}"


RELEASED_CHECKPOINTS: dict[str, ReleasedCheckpoint] = {
    r.model_id: r
    for r in [
        ReleasedCheckpoint(
            "slim-inception-v4",
            "InceptionV4",
            "inception_v4_2016_09_09.tar.gz",
            "inception_v4.ckpt",
        ),
        ReleasedCheckpoint(
            "slim-inception-resnet-v2",
            "InceptionResnetV2",
            "inception_resnet_v2_2016_08_30.tar.gz",
            "inception_resnet_v2_2016_08_30.ckpt",
        ),
    ]
}


@dataclass(frozen=True)
class Pinned:
    """Digests of a released archive that someone measured: TF-Slim publishes none."""

    sha256: str | None
    md5: str | None
    source: str


def pinned(model_id: str) -> Pinned:
    """golden/checkpoints.yaml's digests of the model's archive."""
    import yaml

    entry = yaml.safe_load(GOLDEN.read_text())["checkpoints"][model_id]
    return Pinned(entry["sha256"], entry["md5"], entry["source"])


@dataclass(frozen=True)
class CheckpointFile:
    path: str  # the checkpoint: a V1 file, or a V2 prefix
    origin: str  # "released (keras.utils.get_file)", "local archive" or "local checkpoint"
    digested: str  # the file the digests are of: the archive, else the checkpoint's files
    sha256: str
    md5: str
    pinned: Pinned

    @property
    def of_archive(self) -> bool:
        return self.digested != self.path

    @property
    def matches_pinned(self) -> bool | None:
        """Against the pinned digests of the released archive; None when none is pinned, or
        when the digests are of a checkpoint file rather than of an archive."""
        if not self.of_archive:
            return None
        checks = [
            mine == theirs
            for mine, theirs in ((self.sha256, self.pinned.sha256), (self.md5, self.pinned.md5))
            if theirs is not None
        ]
        return all(checks) if checks else None

    def as_dict(self) -> dict:
        return {
            "format": "TF-Slim checkpoint",
            "path": self.path,
            "origin": self.origin,
            "digested": self.digested,
            "of_archive": self.of_archive,
            "sha256": self.sha256,
            "md5": self.md5,
            "pinned_sha256": self.pinned.sha256,
            "pinned_md5": self.pinned.md5,
            "pinned_source": self.pinned.source,
            "matches_pinned": self.matches_pinned,
        }


# --- finding the checkpoint ------------------------------------------------------------------


def resolve(model_id: str, path=None) -> CheckpointFile:
    """The checkpoint to evaluate: `path` (a .ckpt file, a V2 prefix or the .tar.gz archive),
    else the released archive, fetched once by keras.utils.get_file and unpacked beside it."""
    released = RELEASED_CHECKPOINTS[model_id]
    if path is None:
        return _from_archive(_fetch(released), released, "released (keras.utils.get_file)")
    path = Path(path)
    if path.name.endswith((".tar.gz", ".tgz")):
        if not path.is_file():
            raise WeightsError(f"checkpoint archive {path} not found: pass an existing file")
        return _from_archive(path, released, "local archive")
    if path.is_dir():
        raise WeightsError(
            f"{path} is a folder, not a checkpoint: pass the .ckpt file in it, a checkpoint "
            f"prefix (PREFIX.index beside it) or the archive {released.archive}"
        )
    found = checkpoint_files(path)
    if not found:
        raise WeightsError(
            f"no TF checkpoint at {path}: pass the .ckpt file, a checkpoint prefix (PREFIX.index "
            f"beside it) or the archive {released.archive}"
        )
    sha256, md5 = _digests(found)
    return CheckpointFile(str(path), "local checkpoint", str(path), sha256, md5, pinned(model_id))


def checkpoint_files(path: Path) -> list[Path]:
    """The files of the checkpoint at `path`: itself (V1), or its index and data (V2 prefix)."""
    if path.is_file():
        return [path]
    index = path.with_name(path.name + ".index")
    if not index.is_file():
        return []
    return [index, *sorted(path.parent.glob(f"{path.name}.data-*"))]


def _digests(files) -> tuple[str, str]:
    sha256, md5 = hashlib.sha256(), hashlib.md5()
    for file in files:
        with open(file, "rb") as f:
            while block := f.read(1 << 22):
                sha256.update(block)
                md5.update(block)
    return sha256.hexdigest(), md5.hexdigest()


def _fetch(released: ReleasedCheckpoint) -> Path:
    import keras

    target = keras_home() / "models" / released.archive
    md5 = pinned(released.model_id).md5
    try:
        return Path(
            keras.utils.get_file(
                released.archive,
                released.origin,
                cache_subdir="models",
                file_hash=md5,
            )
        )
    except Exception as e:  # get_file raises a bare Exception for network failures
        raise WeightsError(
            f"could not fetch the released checkpoint {released.archive} from "
            f"{released.origin} ({e}): put the archive at {target} (where Keras caches it), "
            "or pass --weights PATH"
        ) from None


def _from_archive(archive: Path, released: ReleasedCheckpoint, origin: str) -> CheckpointFile:
    """Digest the archive and unpack its checkpoint into ARCHIVE-minus-.tar.gz/ beside it
    (again whenever the archive there is another one). The folder's archive.sha256 names the
    archive whose checkpoint is whole there: it is removed before unpacking and written after,
    so an unpacking cut short is done again, never used."""
    sha256, md5 = _digests([archive])
    folder = archive.with_name(archive.name.removesuffix(".tar.gz").removesuffix(".tgz"))
    target, stamp = folder / released.member, folder / "archive.sha256"
    if not (target.is_file() and stamp.is_file() and stamp.read_text() == sha256):
        stamp.unlink(missing_ok=True)
        _unpack(archive, released, folder)
        files.write_text(stamp, sha256)
    return CheckpointFile(str(target), origin, str(archive), sha256, md5, pinned(released.model_id))


def _unpack(archive: Path, released: ReleasedCheckpoint, folder: Path) -> None:
    try:
        with tarfile.open(archive) as tar:
            names = tar.getnames()
            if released.member not in names:
                raise WeightsError(
                    f"{archive} holds no {released.member} (it holds "
                    f"{', '.join(names[:SHOWN]) or 'nothing'}): pass {released.archive}, the "
                    f"archive of {released.model_id}"
                )
            member = tar.getmember(released.member)
            if not member.isfile():
                raise WeightsError(
                    f"{archive}'s {released.member} is not a file (it is a link or a folder): "
                    f"pass {released.archive} as released, or the .ckpt file itself"
                )
            try:  # the one member, by its name: no path or link of the archive's is followed
                files.copy_in(folder / released.member, tar.extractfile(member))
            except OSError as e:
                raise WeightsError(
                    f"could not unpack {released.member} into {folder} ({e}): make the folder "
                    "writable, or unpack the archive yourself and pass the .ckpt file"
                ) from None
    except (tarfile.TarError, EOFError, OSError) as e:
        raise WeightsError(
            f"{archive} is not a readable .tar.gz ({e}): it is truncated or corrupt; fetch it again"
        ) from None


# --- names and loading -----------------------------------------------------------------------


class _Scopes:
    """spec.walk ops that record each Keras layer's TF-Slim scope, by the name build.py gives
    the layer."""

    def __init__(self):
        self.by_layer: dict[str, str] = {}

    def conv(self, x, node, name):
        from inception_repro.build import bn_name

        if node.scope:
            self.by_layer[name] = node.scope
            self.by_layer[bn_name(name)] = node.scope
        return x

    def dense(self, x, node, name):
        if node.scope:
            self.by_layer[name] = node.scope
        return x

    def pool(self, x, node, name):
        return x

    def concat(self, xs, node, name):
        return xs[0]

    def scaled_add(self, x, up, node, name):
        return x

    activation = global_avg_pool = flatten = dropout = pool


def variable_names(model, model_id: str) -> list[tuple[object, list[str]]]:
    """(layer, the checkpoint name of each of its weights, in layer.weights order) for every
    layer of the registry model `model_id` that has weights."""
    from inception_repro import registry
    from inception_repro.spec import walk

    top = RELEASED_CHECKPOINTS[model_id].scope
    scopes = _Scopes()
    walk(registry.entry(model_id).network(), scopes, None, include_top=True)
    out = []
    for layer in model.layers:
        if not layer.weights:
            continue
        if layer.name not in scopes.by_layer:
            raise WeightsError(f"{model_id}: layer {layer.name} has no TF-Slim variable scope")
        scope = scopes.by_layer[layer.name]
        out.append((layer, [f"{top}/{scope}/{SLIM_NAMES[w.name]}" for w in layer.weights]))
    return out


def read(path: str):
    """A reader of the checkpoint's variables (tf.train.load_checkpoint: V1 or V2)."""
    import tensorflow as tf

    try:
        return tf.train.load_checkpoint(path)
    except (tf.errors.OpError, ValueError) as e:
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise WeightsError(
            f"{path} is not a readable TF checkpoint ({first}): pass a TF-Slim .ckpt file"
        ) from None


def _listed(what: str, items: list[str]) -> str:
    more = f" and {len(items) - SHOWN} more" if len(items) > SHOWN else ""
    return f"{len(items)} {what} ({', '.join(items[:SHOWN])}{more})"


def mismatches(model, model_id: str, stored: dict) -> list[str]:
    """What keeps the checkpoint's variables ({name: shape}) from filling the model."""
    return _mismatches(variable_names(model, model_id), stored)


def _mismatches(pairs, stored: dict) -> list[str]:
    wanted = {
        name: tuple(w.shape)
        for layer, names in pairs
        for name, w in zip(names, layer.weights, strict=True)
    }
    missing = [n for n in wanted if n not in stored]
    unexpected = sorted(n for n in stored if n not in wanted and n not in BOOKKEEPING)
    misshaped = [
        f"{n} {list(stored[n])}, the model's {list(wanted[n])}"
        for n in wanted
        if n in stored and tuple(stored[n]) != wanted[n]
    ]
    problems = []
    if missing:
        problems.append(_listed("model variables missing from it", missing))
    if unexpected:
        problems.append(_listed("unexpected variables", unexpected))
    if misshaped:
        problems.append(_listed("of another shape", misshaped))
    return problems


def load(model, checkpoint: CheckpointFile, model_id: str) -> int:
    """Fill every weight of `model` from the checkpoint; the number of variables read."""
    reader = read(checkpoint.path)
    pairs = variable_names(model, model_id)
    problems = _mismatches(pairs, reader.get_variable_to_shape_map())
    if problems:
        raise WeightsError(
            f"checkpoint {checkpoint.path} does not fit {model_id}: {'; '.join(problems)}. Pass "
            f"the checkpoint of {model_id} ({RELEASED_CHECKPOINTS[model_id].archive})"
        )
    values = _read_every_tensor(reader, checkpoint.path, pairs)  # before any weight is set
    for (layer, _), layer_values in zip(pairs, values, strict=True):
        layer.set_weights(layer_values)
    return sum(len(names) for _, names in pairs)


def _read_every_tensor(reader, path: str, pairs) -> list[list]:
    """The values of every weight of `pairs`, read before any is set: a checkpoint whose data
    is cut short fails here, naming the file and the variable, with the model untouched."""
    import tensorflow as tf

    values = []
    for _, names in pairs:
        values.append([])
        for name in names:
            try:
                values[-1].append(reader.get_tensor(name))
            except (tf.errors.OpError, IndexError, ValueError, OSError) as e:
                first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
                raise WeightsError(
                    f"checkpoint {path}: {name} cannot be read ({first}): its data is "
                    "truncated or corrupt; fetch or write the checkpoint again"
                ) from None
    return values
