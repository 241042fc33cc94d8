"""The ImageNet validation split through TFDS, built offline from a manual_dir, and the blacklist.

TFDS (imagenet2012, builder 5.1.0) builds the validation split from ILSVRC2012_img_val.tar and
joins the labels by the SORTED POSITION of the tar's member names in its bundled
validation_labels.txt. A tar with other names, gaps or directory entries would be labelled
wrongly without any error, so the tar is checked before TFDS sees it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tarfile
from dataclasses import asdict, dataclass
from pathlib import Path

from inception_repro import files
from inception_repro.errors import UsageError

DATASET = "imagenet2012"
SPLIT = "validation"
VAL_TAR = "ILSVRC2012_img_val.tar"
VAL_IMAGES = 50_000
# Size: TFDS imagenet2012 documentation; md5: the image-net.org ILSVRC2012 download page
# ("Validation images (all tasks). 6.3GB. MD5: 29b2...") and torchvision datasets/imagenet.py.
VAL_TAR_BYTES = 6_744_924_160
VAL_TAR_MD5 = "29b22e2961454d5413ddabcf34fc5622"
# The official tar's content digest (`content_digest` of its members): measured, not
# published. None until a run on the real tar records it (results: dataset.tar.content_sha256,
# or the gate's message); until then the gate accepts only a split this package built from a
# tar whose md5 is VAL_TAR_MD5.
VAL_CONTENT_SHA256: str | None = None
MEMBER_PREFIX = "ILSVRC2012_val_"
MEMBER_RE = re.compile(r"ILSVRC2012_val_(\d{8})\.JPEG")
SOURCE_FILE = "inception_repro_source.json"  # written beside TFDS's files after a build
HOW_TO_GET = (
    f"download {VAL_TAR} ({VAL_TAR_BYTES:,} bytes, md5 {VAL_TAR_MD5}) from "
    "https://image-net.org/download-images (registration needed) and put it, unextracted, in "
    "the manual dir"
)


class DataError(UsageError):
    """The ImageNet validation data is missing or is not what it claims to be."""


def member_name(index: int) -> str:
    """The tar member name of the 1-based validation image `index`."""
    return f"{MEMBER_PREFIX}{index:08d}.JPEG"


@dataclass(frozen=True)
class TarSource:
    """What was built: the tar's path, size, md5, image count and content digest."""

    path: str
    bytes: int
    md5: str
    images: int
    content_sha256: str | None = None  # None in records written before it was kept

    @property
    def official(self) -> bool:
        return self.md5 == VAL_TAR_MD5 and self.images == VAL_IMAGES


# --- the tar ---------------------------------------------------------------------------------


def find_val_tar(manual_dir, data_dir=None) -> Path:
    """The validation tar in manual_dir, or a DataError saying what to put where."""
    if manual_dir is None:
        where = "the data dir" if data_dir is None else f"the data dir {data_dir}"
        raise DataError(
            f"the ImageNet validation split has not been built in {where} yet and no manual "
            f"dir was given: {HOW_TO_GET}, and pass it with --manual-dir DIR (or give the "
            "--data-dir it was built in)"
        )
    manual_dir = Path(manual_dir)
    if manual_dir.is_file():
        raise DataError(
            f"--manual-dir {manual_dir} is a file, not a folder: give the folder that holds "
            f"{VAL_TAR}"
        )
    if not manual_dir.is_dir():
        raise DataError(f"manual dir {manual_dir} does not exist: create it, {HOW_TO_GET}")
    tar = manual_dir / VAL_TAR
    if not tar.is_file():
        found = sorted(p.name for p in manual_dir.iterdir())[:5]
        seen = f" (it holds: {', '.join(found)})" if found else " (it is empty)"
        raise DataError(f"{tar} not found{seen}: {HOW_TO_GET}")
    if tar.stat().st_size == 0:
        raise DataError(f"{tar} is empty: {HOW_TO_GET}")
    return tar


def check_val_tar(tar: Path) -> int:
    """The number of images in the tar, after checking its members are ImageNet's 1..N."""
    try:
        with tarfile.open(tar, mode="r:") as archive:
            members = archive.getmembers()
    except (tarfile.TarError, OSError) as e:
        raise DataError(f"{tar} is not a readable tar archive ({e}): {HOW_TO_GET}") from None
    numbers = []
    for m in members:
        match = MEMBER_RE.fullmatch(m.name)
        if not m.isfile() or match is None:
            raise DataError(
                f"{tar} holds {m.name!r}, which is not an ImageNet validation image "
                f"({member_name(1)} .. {member_name(VAL_IMAGES)}, files at the top level): "
                f"this is not ImageNet's validation tar; {HOW_TO_GET}"
            )
        numbers.append(int(match.group(1)))
    _check_numbering(tar, sorted(numbers))
    return len(numbers)


def _check_numbering(tar, numbers):
    if not numbers:
        raise DataError(f"{tar} holds no images: {HOW_TO_GET}")
    if len(numbers) > VAL_IMAGES or numbers[-1] > VAL_IMAGES:
        raise DataError(f"{tar} holds more than {VAL_IMAGES:,} validation images: {HOW_TO_GET}")
    for expected, got in enumerate(numbers, start=1):
        if got != expected:
            raise DataError(
                f"{tar} lacks {member_name(expected)} (or repeats an image): TFDS labels the "
                "images by their sorted position, so every image 1..N must be present; "
                f"{HOW_TO_GET}"
            )


def content_digest(pairs) -> str:
    """sha256 over (file name, sha256 of its bytes) pairs, in file-name order: the same for a
    tar and for a TFDS split built from it, whatever order the records were written in."""
    digest = hashlib.sha256()
    for name, sha in sorted(pairs):
        digest.update(f"{name} {sha}\n".encode())
    return digest.hexdigest()


class _Md5Reader:
    """A file read once, front to back, with the md5 of every byte read."""

    def __init__(self, f):
        self.f, self.md5 = f, hashlib.md5()

    def read(self, size=-1):
        block = self.f.read(size)
        self.md5.update(block)
        return block


def tar_source(tar: Path) -> TarSource:
    """The tar's md5 and content digest, in one pass over its bytes, which also checks that
    every image decodes as the evaluation decodes it (a DataError naming the first that does
    not)."""
    pairs = []
    with open(tar, "rb") as f, _DecodeCheck(tar) as decodes:
        reader = _Md5Reader(f)
        with tarfile.open(fileobj=reader, mode="r|") as archive:
            for position, member in enumerate(archive, start=1):
                content = archive.extractfile(member).read()
                pairs.append((member.name, hashlib.sha256(content).hexdigest()))
                decodes.add(position, member.name, content)
        while reader.read(1 << 22):  # the end-of-archive blocks
            pass
    md5 = reader.md5.hexdigest()
    return TarSource(str(tar.resolve()), tar.stat().st_size, md5, len(pairs), content_digest(pairs))


class _DecodeCheck:
    """Decodes the tar's images as the evaluation does (tf.io.decode_jpeg, 3 channels), in
    batches on a pool of threads; a DataError names the first member, by its position in the
    tar, that does not decode."""

    BATCH = 256

    def __init__(self, tar: Path):
        self.tar, self.batch = tar, []

    def __enter__(self):
        from concurrent.futures import ThreadPoolExecutor

        self.pool = ThreadPoolExecutor()
        return self

    def __exit__(self, kind, error, trace):
        try:
            if kind is None:
                self._flush()
        finally:
            self.pool.shutdown(cancel_futures=True)

    def add(self, position: int, name: str, content: bytes) -> None:
        self.batch.append((position, name, content))
        if len(self.batch) == self.BATCH:
            self._flush()

    def _flush(self) -> None:
        batch, self.batch = self.batch, []
        problems = self.pool.map(_decode_problem, batch)
        for (position, name, _), problem in zip(batch, problems, strict=True):
            if problem is not None:
                raise DataError(
                    f"{self.tar}: member {position:,} of the tar, {name}, does not decode as a "
                    f"JPEG ({problem}): the tar is corrupt and nothing was built; {HOW_TO_GET}"
                )


def _decode_problem(item) -> str | None:
    """Why the image does not decode as the evaluation decodes it; None when it does."""
    import tensorflow as tf

    try:
        tf.io.decode_jpeg(item[2], channels=3)
    except tf.errors.OpError as e:
        return " ".join(e.message.split())
    return None


def file_md5(path, chunk=1 << 22) -> str:
    digest = hashlib.md5()
    with open(path, "rb") as f:
        while block := f.read(chunk):
            digest.update(block)
    return digest.hexdigest()


# --- TFDS ------------------------------------------------------------------------------------


def _builder(data_dir):
    """TFDS's builder of the split, offline: TFDS 4.9.8 and later (pyproject's floor) look
    nothing up on GCS unless asked."""
    import tensorflow_datasets as tfds

    return tfds.builder(DATASET, data_dir=os.fspath(data_dir))


def _source_path(builder) -> Path:
    return Path(os.fspath(builder.data_path)) / SOURCE_FILE


def _read_source(builder) -> TarSource | None:
    path = _source_path(builder)
    if not path.is_file():
        return None
    return TarSource(**json.loads(path.read_text()))


def _is_prepared(builder) -> bool:
    return (Path(os.fspath(builder.data_path)) / "dataset_info.json").is_file()


def prepare(manual_dir, data_dir) -> TarSource | None:
    """Build the validation split into data_dir once; return what it was built from.

    A split already built in data_dir is reused; None means it was built by something else
    than this package, so its source tar is unknown.
    """
    data_dir = Path(data_dir)
    builder = _builder(data_dir)
    if _is_prepared(builder):
        source = _read_source(builder)
        _check_same_tar(builder, source, manual_dir)
        if SPLIT not in builder.info.splits:
            raise DataError(
                f"the {DATASET} build in {data_dir} has no {SPLIT} split: use an empty "
                "--data-dir, or delete that build, and pass --manual-dir"
            )
        return source
    files.check_output_dir(data_dir, "--data-dir")  # before the tar is read
    tar = find_val_tar(manual_dir, data_dir)
    check_val_tar(tar)
    source = tar_source(tar)
    _build(builder, tar, data_dir)
    files.write_text(_source_path(builder), json.dumps(asdict(source), indent=2) + "\n")
    return source


def _check_same_tar(builder, source, manual_dir):
    if manual_dir is None or source is None:
        return
    tar = find_val_tar(manual_dir)
    if tar.stat().st_size != source.bytes:
        raise DataError(
            f"the {DATASET} build in {builder.data_dir} was made from another tar "
            f"({source.path}, {source.bytes:,} bytes) than {tar} ({tar.stat().st_size:,} "
            "bytes): pass another --data-dir, or delete the old build"
        )


def _build(builder, tar, data_dir):
    import tensorflow_datasets as tfds

    # A manual dir holding the validation tar alone, so that TFDS never builds the train
    # split (138 GB) even when the user's manual dir also holds the train tar.
    staging = data_dir / "manual" / DATASET
    staging.mkdir(parents=True, exist_ok=True)
    link = staging / VAL_TAR
    if link.is_symlink() or link.exists():
        link.unlink()
    link.symlink_to(tar.resolve())
    config = tfds.download.DownloadConfig(manual_dir=os.fspath(staging))
    builder.download_and_prepare(
        download_dir=os.fspath(data_dir / "downloads"), download_config=config
    )


def undecodable(data_dir, problem: str) -> DataError:
    """The error for a built split holding an image that does not decode; `problem` is
    TensorFlow's message, whose first line ends with the decoder's words."""
    first = problem.strip().splitlines()[0] if problem.strip() else "no reason"
    first = " ".join(first.rsplit(": ", 1)[-1].split())
    return DataError(
        f"the {DATASET} split in {data_dir} holds an image that does not decode ({first}): it "
        f"was built from a corrupt tar; delete {Path(data_dir) / DATASET} and build it again "
        f"from a good {VAL_TAR} (--manual-dir), which is checked image by image"
    )


def split_size(data_dir) -> int:
    return _builder(data_dir).info.splits[SPLIT].num_examples


def read(data_dir):
    """(the split's serialized examples, `parse`), where parse(example) is a dict of image (JPEG
    bytes), label and file_name. The order is TFDS's (it shuffles while writing), not the
    validation index order.

    The records are read straight from TFDS's TFRecord files and parsed by TFDS's own parser, so
    that a pipeline can parse in the same parallel step that decodes the image: TFDS's
    as_dataset parses in a stage of its own, which costs more CPU per image (a split in another
    file format is read through as_dataset all the same).
    """
    import tensorflow as tf
    import tensorflow_datasets as tfds

    builder = _builder(data_dir)
    if builder.info.file_format not in (None, tfds.core.FileFormat.TFRECORD):
        return tfds_examples(builder), lambda example: example
    files = [os.fspath(f) for f in builder.info.splits[SPLIT].filepaths]
    features, decoders = builder.info.features, _jpeg_bytes()
    records = tf.data.TFRecordDataset(files, num_parallel_reads=tf.data.AUTOTUNE)
    return records, lambda record: features.deserialize_example(record, decoders=decoders)


def tfds_examples(builder):
    """The split through TFDS's own reader, parsed, images left as JPEG bytes."""
    return builder.as_dataset(split=SPLIT, shuffle_files=False, decoders=_jpeg_bytes())


def _jpeg_bytes() -> dict:
    import tensorflow_datasets as tfds

    return {"image": tfds.decode.SkipDecoding()}


def split_digest(data_dir) -> tuple[list[str], str]:
    """(the split's file names, in file-name order; its content_digest), read from its
    records: what the split holds, whatever tar it was built from and by whom."""
    import tensorflow as tf

    records, parse = read(data_dir)
    pairs_ds = records.map(
        lambda r: (parse(r)["file_name"], parse(r)["image"]), num_parallel_calls=tf.data.AUTOTUNE
    )
    pairs = [
        (name.decode(), hashlib.sha256(image).hexdigest())
        for name, image in pairs_ds.as_numpy_iterator()
    ]
    return sorted(name for name, _ in pairs), content_digest(pairs)


def official_split_problems(data_dir) -> tuple[list[str], str]:
    """(why the built split is not ImageNet's official validation set, empty when it is; its
    content digest). Checked on the records themselves: the image count, the file names and
    the content digest against the official tar's (VAL_CONTENT_SHA256 once pinned, else the
    digest this package recorded when it built the split from a tar with the official md5)."""
    names, digest = split_digest(data_dir)
    problems = []
    if len(names) != VAL_IMAGES:
        problems.append(f"the split holds {len(names):,} images, not {VAL_IMAGES:,}")
    expected_names = [member_name(i) for i in range(1, VAL_IMAGES + 1)]
    if names != expected_names:
        odd = sorted(set(names) ^ set(expected_names))[:3] or ["a repeated name"]
        problems.append(f"its file names are not {expected_names[0]} .. {expected_names[-1]}: "
                        f"{', '.join(odd)}")  # fmt: skip
    source = _read_source(_builder(data_dir))
    built_official = source is not None and source.md5 == VAL_TAR_MD5 and source.content_sha256
    expected = VAL_CONTENT_SHA256 or (source.content_sha256 if built_official else None)
    if expected is None:
        problems.append(
            "its content cannot be checked against the official tar: no official content digest "
            "is pinned yet and this package did not build it from a tar with the official md5; "
            f"build it into an empty --data-dir from the official {VAL_TAR} (--manual-dir)"
        )
    elif digest != expected:
        problems.append(f"its content digest {digest} is not the official tar's {expected}")
    return problems, digest


def validation_index(file_name):
    """The 1-based validation index in a file_name tensor (ILSVRC2012_val_00000001.JPEG -> 1)."""
    import tensorflow as tf

    return tf.strings.to_number(tf.strings.substr(file_name, len(MEMBER_PREFIX), 8), tf.int32)


# --- the ILSVRC2014 blacklist ------------------------------------------------------------------


def read_blacklist(path) -> frozenset[int]:
    """The 1-based validation indices listed in the ILSVRC2014 devkit blacklist file."""
    path = Path(path)
    hint = (
        "pass ILSVRC2014_clsloc_validation_blacklist.txt from the ILSVRC2014 devkit "
        "(one 1-based validation index per line)"
    )
    if not path.is_file():
        problem = "is a folder" if path.is_dir() else "not found"
        raise DataError(f"blacklist file {path} {problem}: {hint}")
    indices = set()
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if not line.strip():
            continue
        try:
            index = int(line)
        except ValueError:
            raise DataError(f"{path} line {number} is {line!r}, not an index: {hint}") from None
        if not 1 <= index <= VAL_IMAGES:
            raise DataError(f"{path} line {number}: {index} is outside 1..{VAL_IMAGES}: {hint}")
        indices.add(index)
    if not indices:
        raise DataError(f"{path} lists no indices: {hint}")
    return frozenset(indices)
