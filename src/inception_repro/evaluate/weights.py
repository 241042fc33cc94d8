"""The released Keras weights files: fetch, fingerprint, load, with clear errors.

The released files are legacy Keras 2 HDF5 weights files (one group per layer, by layer name;
Keras 3's model.load_weights reads them by layer order for a .h5 path). File names and md5s
are the ones keras/src/applications/{inception_resnet_v2,inception_v3}.py pass to get_file.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from inception_repro.errors import UsageError
from inception_repro.evaluate.data import file_md5

BUCKET = "https://storage.googleapis.com/tensorflow/keras-applications/"


class WeightsError(UsageError):
    """A weights file that is missing, corrupt, or does not fit the model."""


@dataclass(frozen=True)
class ReleasedH5:
    model_id: str
    file_name: str
    md5: str
    notop_file_name: str
    notop_md5: str
    folder: str  # under BUCKET

    @property
    def origin(self) -> str:
        return f"{BUCKET}{self.folder}/{self.file_name}"


RELEASED_H5: dict[str, ReleasedH5] = {
    r.model_id: r
    for r in [
        ReleasedH5(
            "keras-inception-resnet-v2",
            "inception_resnet_v2_weights_tf_dim_ordering_tf_kernels.h5",
            "e693bd0210a403b3192acc6073ad2e96",
            "inception_resnet_v2_weights_tf_dim_ordering_tf_kernels_notop.h5",
            "d19885ff4a710c122648d3b5c3b684e4",
            "inception_resnet_v2",
        ),
        ReleasedH5(
            "keras-inception-v3",
            "inception_v3_weights_tf_dim_ordering_tf_kernels.h5",
            "9a0d58056eeedaa3f26cb7ebd46da564",
            "inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5",
            "bcbd6486424b2319ff4ef7d526e38f63",
            "inception_v3",
        ),
    ]
}
RELEASED_MD5_BY_NAME = {
    name: md5
    for r in RELEASED_H5.values()
    for name, md5 in ((r.file_name, r.md5), (r.notop_file_name, r.notop_md5))
}


@dataclass(frozen=True)
class WeightsFile:
    path: str
    md5: str
    origin: str  # "released (keras.utils.get_file)" or "local file"
    released_md5: str | None  # of the released file for this model, when there is one

    @property
    def matches_released(self) -> bool | None:
        return None if self.released_md5 is None else self.md5 == self.released_md5

    def as_dict(self) -> dict:
        return {
            "path": self.path,
            "md5": self.md5,
            "origin": self.origin,
            "released_md5": self.released_md5,
            "matches_released": self.matches_released,
        }


def keras_home() -> Path:
    """Where keras.utils.get_file caches: $KERAS_HOME, else ~/.keras (/tmp/.keras when the home
    folder cannot be written: keras/src/backend/config.py); and when that folder cannot be
    written, .keras in the temporary folder (keras/src/utils/file_utils.py, get_file)."""
    if "KERAS_HOME" in os.environ:
        base = os.environ["KERAS_HOME"]
    else:
        home = os.path.expanduser("~")
        base = os.path.join(home if os.access(home, os.W_OK) else "/tmp", ".keras")
    if os.access(os.path.expanduser(base), os.W_OK):
        return Path(os.path.expanduser(base))
    return Path("/tmp" if os.path.isdir("/tmp") else tempfile.gettempdir()) / ".keras"


def resolve(model_id: str, path=None) -> WeightsFile:
    """The weights file to evaluate: the local `path`, else the released file via get_file."""
    released = RELEASED_H5.get(model_id)
    if path is not None:
        return _local(Path(path), released)
    if released is None:
        raise WeightsError(
            f"no released Keras weights file is known for {model_id}: pass --weights PATH"
        )
    return WeightsFile(
        str(_fetch(released)), released.md5, "released (keras.utils.get_file)", released.md5
    )


def _fetch(released: ReleasedH5) -> Path:
    import keras

    target = keras_home() / "models" / released.file_name
    try:
        return Path(
            keras.utils.get_file(
                released.file_name,
                released.origin,
                cache_subdir="models",
                file_hash=released.md5,
            )
        )
    except Exception as e:  # get_file raises a bare Exception for network failures
        raise WeightsError(
            f"could not fetch the released weights {released.file_name} from {released.origin} "
            f"({e}): put the file (md5 {released.md5}) at {target} (where Keras caches it), "
            "or pass --weights PATH"
        ) from None


def _local(path: Path, released: ReleasedH5 | None) -> WeightsFile:
    if path.is_dir():
        example = path / (released.file_name if released else "weights.h5")
        raise WeightsError(
            f"weights file {path} is a folder: pass the .h5 file itself, for example {example}"
        )
    if not path.is_file():
        raise WeightsError(f"weights file {path} not found: pass an existing .h5 file")
    if path.suffix not in (".h5", ".hdf5"):
        raise WeightsError(
            f"weights file {path} is not a .h5 file: pass a legacy Keras HDF5 weights file "
            "(like the released one) whose name ends in .h5"
        )
    md5 = file_md5(path)
    claimed = RELEASED_MD5_BY_NAME.get(path.name)
    if claimed is not None and md5 != claimed:
        raise WeightsError(
            f"{path} is named like a released weights file but its md5 is {md5}, not "
            f"{claimed}: it is truncated, corrupt or another file; download it again, or "
            "rename it if it is meant to be a different file"
        )
    check_hdf5(path)
    return WeightsFile(str(path), md5, "local file", released.md5 if released else None)


def check_hdf5(path) -> None:
    """A WeightsError unless path is an HDF5 file with Keras weights in it, every one of which
    can be read (a file cut short fails here, before anything is loaded)."""
    import h5py

    try:
        with h5py.File(path, "r") as f:
            if not ("layer_names" in f.attrs or "model_weights" in f):
                raise WeightsError(
                    f"{path} is HDF5 but not a Keras weights file (no layer_names): pass a file "
                    "written by Keras save_weights, like the released one"
                )
            f.visititems(_read_dataset)
    except (OSError, KeyError, ValueError, RuntimeError) as e:
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise WeightsError(
            f"{path} is not a readable HDF5 file ({first}): it is truncated or corrupt; fetch or "
            "write it again"
        ) from None


def _read_dataset(name, item) -> None:
    import h5py

    if isinstance(item, h5py.Dataset):
        item[()]


def load(model, weights: WeightsFile, model_id: str) -> None:
    """Load the file into the model, all or nothing: when Keras's loader stops part way (it
    sets the weights layer by layer), the model gets back the weights it had, and the error is
    a WeightsError naming the file."""
    before = model.get_weights()
    try:
        model.load_weights(weights.path)
    except (ValueError, KeyError, OSError) as e:
        model.set_weights(before)
        released = RELEASED_H5.get(model_id)
        hint = f" (the released one is {released.file_name})" if released else ""
        reason = " ".join(str(e).split()).rstrip(".")
        raise WeightsError(
            f"weights file {weights.path} does not fit {model_id}: {reason}. Pass a weights "
            f"file saved from {model_id}{hint}"
        ) from None
