"""The TFDS build from a manual dir, and every way the ImageNet data can be wrong."""

import dataclasses
import json

import pytest

from fixtures import fake_imagenet
from inception_repro.errors import UsageError
from inception_repro.evaluate import data

pytestmark = pytest.mark.eval


def examples(data_dir):
    records, parse = data.read(data_dir)
    return records.map(parse)


def rows(examples):
    return sorted(
        (int(data.validation_index(ex["file_name"])), int(ex["label"]), ex["image"].numpy())
        for ex in examples
    )


def test_build_labels_images_by_sorted_member_name(fake_data_dir, fake_val):
    _, plan = fake_val
    labels = [(index, label) for index, label, _ in rows(examples(fake_data_dir))]
    assert labels == [(im.index, im.label) for im in plan]
    assert data.split_size(fake_data_dir) == len(plan)


def test_records_read_directly_are_what_tfds_reads(fake_data_dir):
    ours = rows(examples(fake_data_dir))
    assert ours == rows(data.tfds_examples(data._builder(fake_data_dir)))
    assert all(jpeg.startswith(b"\xff\xd8") for _, _, jpeg in ours)


def test_other_file_formats_are_read_through_tfds(fake_data_dir, monkeypatch):
    import types

    import tensorflow_datasets as tfds

    real = data._builder(fake_data_dir)
    other = types.SimpleNamespace(
        info=types.SimpleNamespace(file_format=tfds.core.FileFormat.ARRAY_RECORD),
        as_dataset=real.as_dataset,
    )
    monkeypatch.setattr(data, "_builder", lambda _: other)
    assert rows(examples(fake_data_dir)) == rows(data.tfds_examples(real))


def test_build_records_its_source_tar(fake_data_dir, fake_val):
    manual, plan = fake_val
    tar = manual / data.VAL_TAR
    source = data.prepare(None, fake_data_dir)  # reused: no manual dir needed
    assert source.images == len(plan)
    assert source.bytes == tar.stat().st_size
    assert source.md5 == data.file_md5(tar)
    assert not source.official
    # the tar's content digest, in one pass with its md5, is that of the split's records
    names, digest = data.split_digest(fake_data_dir)
    assert source.content_sha256 == digest
    assert names == [data.member_name(i) for i in range(1, len(plan) + 1)]


def test_a_split_is_official_by_its_records_not_by_its_build_record(
    fake_data_dir, fake_val, monkeypatch
):
    """The gate's check (tests/gpu): image count, file names and content digest, read off the
    records, whoever built them. Here the fake split stands in for the official one."""
    plan = fake_val[1]
    problems, digest = data.official_split_problems(fake_data_dir)
    assert problems[0] == f"the split holds {len(plan)} images, not 50,000"
    assert (
        "file names are not ILSVRC2012_val_00000001.JPEG .. ILSVRC2012_val_00050000"
        in (problems[1])
    )
    assert "cannot be checked against the official tar" in problems[2]  # md5 is not official
    monkeypatch.setattr(data, "VAL_IMAGES", len(plan))
    monkeypatch.setattr(data, "VAL_CONTENT_SHA256", digest)
    assert data.official_split_problems(fake_data_dir) == ([], digest)
    monkeypatch.setattr(data, "VAL_CONTENT_SHA256", "0" * 64)
    (problem,) = data.official_split_problems(fake_data_dir)[0]
    assert problem == f"its content digest {digest} is not the official tar's {'0' * 64}"


def test_a_split_built_from_the_official_tar_is_checked_against_its_own_digest(
    fake_data_dir, fake_val, monkeypatch
):
    """No digest pinned yet: the digest this package recorded from a tar whose md5 is the
    official one is the reference, and the records must match it."""
    monkeypatch.setattr(data, "VAL_IMAGES", len(fake_val[1]))
    source = data.prepare(None, fake_data_dir)
    monkeypatch.setattr(data, "VAL_TAR_MD5", source.md5)
    assert data.official_split_problems(fake_data_dir)[0] == []
    tampered = dataclasses.replace(source, content_sha256="f" * 64)
    monkeypatch.setattr(data, "_read_source", lambda builder: tampered)
    (problem,) = data.official_split_problems(fake_data_dir)[0]
    assert problem.endswith(f"is not the official tar's {'f' * 64}")
    monkeypatch.setattr(data, "_read_source", lambda builder: None)  # built elsewhere
    (problem,) = data.official_split_problems(fake_data_dir)[0]
    assert "cannot be checked against the official tar" in problem


def test_build_touches_no_train_split(fake_data_dir):
    from inception_repro.evaluate.data import _builder

    assert set(_builder(fake_data_dir).info.splits) == {"validation"}


def test_official_needs_the_published_md5_and_50000_images():
    real = data.TarSource("x", data.VAL_TAR_BYTES, data.VAL_TAR_MD5, data.VAL_IMAGES)
    assert real.official
    assert not data.TarSource("x", 1, "0" * 32, data.VAL_IMAGES).official


def test_reuse_with_another_tar_is_refused(fake_data_dir, tmp_path):
    other = tmp_path / "other"
    fake_imagenet.write_val_tar(other, 3)
    with pytest.raises(data.DataError, match="another tar"):
        data.prepare(other, fake_data_dir)


def _member(index):
    image = fake_imagenet.FakeImage(index, 0, 0, 8, 8, "420")
    return image.name, fake_imagenet.jpeg(image)


@pytest.mark.parametrize(
    "names, message",
    [
        (["ILSVRC2012_val_00000001.JPEG", "ILSVRC2012_val_00000003.JPEG"], "lacks"),
        (["./ILSVRC2012_val_00000001.JPEG"], "not an ImageNet validation image"),
        (["n01440764_10026.JPEG"], "not an ImageNet validation image"),
        (["ILSVRC2012_val_00000001.jpg"], "not an ImageNet validation image"),
        ([], "holds no images"),
    ],
)
def test_foreign_tars_are_refused_before_tfds(tmp_path, names, message):
    members = {name: b"\xff\xd8 not really" for name in names}
    fake_imagenet.write_tar(tmp_path / "manual" / data.VAL_TAR, members)
    with pytest.raises(data.DataError, match=message):
        data.prepare(tmp_path / "manual", tmp_path / "tfds")
    assert not (tmp_path / "tfds" / data.DATASET).exists()


def test_directory_entry_is_refused(tmp_path):
    import tarfile

    tar_path = tmp_path / "manual" / data.VAL_TAR
    fake_imagenet.write_tar(tar_path, dict([_member(1)]))
    with tarfile.open(tar_path, "a") as tar:
        entry = tarfile.TarInfo("ILSVRC2012_img_val")
        entry.type = tarfile.DIRTYPE
        tar.addfile(entry)
    with pytest.raises(data.DataError, match="'ILSVRC2012_img_val'"):
        data.prepare(tmp_path / "manual", tmp_path / "tfds")


@pytest.mark.parametrize(
    "setup, message",
    [
        ("none", "--manual-dir"),
        ("missing", "does not exist"),
        ("empty_dir", "it is empty"),
        ("wrong_file", "it holds: ILSVRC2012_img_train.tar"),
        ("empty_tar", "is empty"),
        ("not_a_tar", "not a readable tar"),
    ],
)
def test_missing_or_broken_manual_dir_says_what_to_put_where(tmp_path, setup, message):
    manual = tmp_path / "manual"
    if setup != "missing":
        manual.mkdir()
    if setup == "wrong_file":
        (manual / "ILSVRC2012_img_train.tar").write_bytes(b"x")
    if setup == "empty_tar":
        (manual / data.VAL_TAR).write_bytes(b"")
    if setup == "not_a_tar":
        (manual / data.VAL_TAR).write_bytes(b"<html>login required</html>" * 40)
    with pytest.raises(UsageError, match=message) as error:
        data.prepare(None if setup == "none" else manual, tmp_path / "tfds")
    assert data.VAL_TAR in str(error.value)
    assert "image-net.org" in str(error.value)


def test_member_names():
    assert data.member_name(1) == "ILSVRC2012_val_00000001.JPEG"
    assert data.member_name(50_000) == "ILSVRC2012_val_00050000.JPEG"


def test_blacklist_is_read_as_one_based_indices(tmp_path):
    path = tmp_path / "blacklist.txt"
    path.write_text("36\n50\n\n56\n")
    assert data.read_blacklist(path) == frozenset({36, 50, 56})


@pytest.mark.parametrize(
    "text, message",
    [("36\nfifty\n", "line 2"), ("0\n", "outside"), ("50001\n", "outside"), ("\n", "no indices")],
)
def test_bad_blacklist_is_refused(tmp_path, text, message):
    path = tmp_path / "blacklist.txt"
    path.write_text(text)
    with pytest.raises(data.DataError, match=message):
        data.read_blacklist(path)


def test_missing_blacklist_is_refused(tmp_path):
    with pytest.raises(data.DataError, match="ILSVRC2014_clsloc_validation_blacklist.txt"):
        data.read_blacklist(tmp_path / "nope.txt")


def test_source_file_is_json_beside_the_build(fake_data_dir):
    (path,) = fake_data_dir.glob(f"{data.DATASET}/*/{data.SOURCE_FILE}")
    assert json.loads(path.read_text())["images"] == 36  # the fake tar's (conftest.FAKE_IMAGES)
