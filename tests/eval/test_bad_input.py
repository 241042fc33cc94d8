"""Bad input, one row per case: exit status 2, one line naming the path or value and the fix, no
traceback, and nothing left half-written (the files under the test's folder are the same
before and after). Every command runs in this process, through cli.main, the way a user runs it.

The rows: the README's promises (an unknown model id, an input below the minimum, a missing
ILSVRC2012_img_val.tar, a weights file with the wrong checksum), then every output path, data
dir, weights path and --reported file that cannot be used, each checked before the work it
would spoil. Loads that fail part way (a checkpoint cut short, a .h5 that does not fit, an
archive's unpacking) and the helpers behind the rows (files.py, cli.main's OSError) are tested
below the table.
"""

import io
import os
import re
import shutil
import stat
import tarfile
import uuid
from pathlib import Path

import h5py
import keras
import numpy as np
import pytest
from support.groups import SLIM_CHECKPOINTS

from fixtures import fake_imagenet, legacy_weights, slim_checkpoint
from inception_repro import cli, files, registry
from inception_repro.errors import UsageError
from inception_repro.evaluate import checkpoints, data, run, weights
from inception_repro.evaluate.config import EvalConfig
from inception_repro.evaluate.weights import WeightsError

pytestmark = pytest.mark.eval

IRV2 = "keras-inception-resnet-v2"
V4 = "slim-inception-v4"


def _can_make_a_file_in(folder: Path) -> bool:
    try:
        (folder / f"probe-{uuid.uuid4().hex}").touch()
    except OSError:
        return False
    return True


@pytest.fixture
def read_only(tmp_path):
    """A folder in which no file can be made: one of mode 0o555; for the super-user, whom
    modes do not stop, /sys (read-only to everyone)."""
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        for candidate in (folder, Path("/sys")):
            if candidate.is_dir() and not _can_make_a_file_in(candidate):
                yield candidate
                return
        pytest.fail("no folder here refuses a new file: cannot test an unwritable path")
    finally:
        folder.chmod(0o755)


@pytest.fixture
def corrupt_manual(tmp_path_factory, fake_val):
    """A manual dir whose ILSVRC2012_img_val.tar holds the fake tar's images with the 5th member
    cut to half its bytes: a well-named tar, one JPEG of which does not decode."""
    folder = tmp_path_factory.mktemp("corrupt-manual")
    with tarfile.open(fake_val[0] / data.VAL_TAR) as source:
        members = [(m, source.extractfile(m).read()) for m in source.getmembers()]
    with tarfile.open(folder / data.VAL_TAR, "w") as tar:
        for position, (member, content) in enumerate(members, start=1):
            if position == 5:
                content = content[: len(content) // 2]
                member.size = len(content)
            tar.addfile(member, io.BytesIO(content))
    return folder, members[4][0].name


def fails(capsys, argv) -> str:
    """The one line cli.main printed for argv, once it exited 2 with no traceback."""
    try:
        code = cli.main([str(a) for a in argv])
    except SystemExit as e:  # argparse's own errors
        code = e.code
    out, err = capsys.readouterr()
    assert code == 2, f"exit {code}; stdout {out!r}; stderr {err!r}"
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


def tree(folder: Path) -> dict:
    return {p: p.read_bytes() if p.is_file() else None for p in sorted(folder.rglob("*"))}


def no_work(*args, **kwargs):
    raise AssertionError("the work started before the input was checked")


EVAL = ("eval", "--model", IRV2, "--allow-cpu", "--no-progress")

# (id, argv, what the line says), with the paths of the test's `values` filled in
ROWS = [
    # The README's promises
    ("unknown model id", ("summary", "inception-v5"), "unknown model id 'inception-v5'; known ids"),
    ("input below 75", ("summary", IRV2, "--input-size", "74", "300"), "74x300 is too small"),
    ("no ILSVRC2012_img_val.tar", (*EVAL, "--manual-dir", "{tmp}", "--data-dir", "{tmp}/tfds"),
     "{tmp}/ILSVRC2012_img_val.tar not found (it holds: "),
    ("no manual dir", (*EVAL, "--manual-dir", "{tmp}/imagenet", "--data-dir", "{tmp}/tfds"),
     "manual dir {tmp}/imagenet does not exist"),
    ("weights with the wrong md5", (*EVAL, "--weights", "{tmp}/" +
     weights.RELEASED_H5[IRV2].file_name, "--data-dir", "{tmp}/tfds"),
     "named like a released weights file but its md5 is"),
    # 1: --out, checked before the evaluation or the comparison
    ("eval --out a folder", (*EVAL, "--out", "{tmp}", "--data-dir", "{tmp}/tfds"),
     "--out {tmp} is a folder: give a file name"),
    ("eval --out below a file", (*EVAL, "--out", "{file}/r.json", "--data-dir", "{tmp}/tfds"),
     "--out {file}/r.json: {file} is a file, not a folder"),
    ("eval --out unwritable", (*EVAL, "--out", "{ro}/new/r.json", "--data-dir", "{tmp}/tfds"),
     "--out {ro}/new/r.json: cannot write in {ro}"),
    ("compare-weights --out a folder", ("compare-weights", "{ckpt}", "{h5}", "--out", "{tmp}"),
     "--out {tmp} is a folder"),
    ("compare-weights --out unwritable", ("compare-weights", "{ckpt}", "{h5}", "--out",
     "{ro}/c.json"), "--out {ro}/c.json: cannot write in {ro}"),
    # 4: the data dir, before the tar is read
    ("--data-dir unwritable", (*EVAL, "--manual-dir", "{manual}", "--data-dir", "{ro}/tfds"),
     "--data-dir {ro}/tfds: cannot write in {ro}"),
    ("--data-dir a file", (*EVAL, "--data-dir", "{file}"), "--data-dir {file} is a file"),
    # 5: report --out
    ("report --out a file", ("report", "--out", "{file}"), "--out {file} is a file, not a folder"),
    ("report --out unwritable", ("report", "--out", "{ro}/out"), "--out {ro}/out: cannot write"),
    # 6: --reported
    ("--reported without reported:", (*EVAL, "--reported", "{yaml}", "--data-dir", "{tmp}/t"),
     "--reported {yaml} has no list under `reported:`"),
    ("--reported entry lacking fields", (*EVAL, "--reported", "{entry}", "--data-dir",
     "{tmp}/t"), "--reported {entry}, entry 1 (x) lacks reported_model, source, model"),
    ("--reported not YAML", (*EVAL, "--reported", "{broken}", "--data-dir", "{tmp}/t"),
     "--reported {broken} is not readable YAML ("),
    ("--reported a folder", (*EVAL, "--reported", "{tmp}", "--data-dir", "{tmp}/t"),
     "--reported {tmp}: is a folder"),
    # smaller things
    ("--manual-dir the tar itself", (*EVAL, "--manual-dir", "{manual}/" + data.VAL_TAR,
     "--data-dir", "{tmp}/tfds"), "--manual-dir {manual}/" + data.VAL_TAR + " is a file, not a "
     "folder: give the folder that holds " + data.VAL_TAR),
    ("--blacklist a folder", (*EVAL, "--blacklist", "{tmp}", "--data-dir", "{tmp}/tfds"),
     "blacklist file {tmp} is a folder"),
    ("not built: names the data dir", (*EVAL, "--data-dir", "{tmp}/tfds"),
     "not been built in the data dir {tmp}/tfds yet"),
    ("--weights a folder (.h5)", (*EVAL, "--weights", "{tmp}", "--manual-dir", "{manual}",
     "--data-dir", "{tmp}/tfds"), "weights file {tmp} is a folder: pass the .h5 file itself"),
    ("--weights a folder (checkpoint)", (*EVAL[:2], V4, *EVAL[3:], "--weights", "{tmp}",
     "--manual-dir", "{manual}", "--data-dir", "{tmp}/tfds"),
     "{tmp} is a folder, not a checkpoint"),
    ("--weights missing, before the split", (*EVAL, "--weights", "{tmp}/W.h5", "--manual-dir",
     "{manual}", "--data-dir", "{tmp}/tfds"), "weights file {tmp}/W.h5 not found"),
    ("compare-weights swapped", ("compare-weights", "{h5}", "{ckpt}"),
     "SLIM_CKPT {h5} is a .h5 file and KERAS_H5 {ckpt} is not: the two look swapped"),
    ("the TF-Slim minimum and --no-top", ("summary", V4, "--input-size", "100", "100"),
     "the minimum is 107x107; use --input-size H W with H, W >= 107, or 75 with --no-top"),
    ("an argparse error", ("eval", "--allow-cpu"),
     "inception-repro eval: error: the following arguments are required: --model; see "
     "inception-repro eval --help"),
]  # fmt: skip


@pytest.mark.parametrize("argv, says", [r[1:] for r in ROWS], ids=[r[0] for r in ROWS])
def test_bad_input_exits_2_in_one_line_before_the_work(
    argv, says, capsys, monkeypatch, tmp_path, read_only, fake_val
):
    monkeypatch.setattr(data, "tar_source", no_work)  # reading the tar is the work here
    monkeypatch.setattr(keras.utils, "get_file", no_work)
    (tmp_path / "a-file").write_text("kept\n")
    (tmp_path / weights.RELEASED_H5[IRV2].file_name).write_bytes(b"not the released file")
    (tmp_path / "other.yaml").write_text("other: []\n")
    (tmp_path / "entry.yaml").write_text("reported:\n- id: x\n  top1: 80.4\n")
    (tmp_path / "broken.yaml").write_text("reported: [\n")
    for name in ("x.ckpt", "x.h5"):
        (tmp_path / name).write_bytes(b"stand-in")
    values = {
        "tmp": tmp_path,
        "file": tmp_path / "a-file",
        "ro": read_only,
        "manual": fake_val[0],
        "h5": tmp_path / "x.h5",
        "ckpt": tmp_path / "x.ckpt",
        "yaml": tmp_path / "other.yaml",
        "entry": tmp_path / "entry.yaml",
        "broken": tmp_path / "broken.yaml",
    }
    before = tree(tmp_path)
    line = fails(capsys, [a.format(**values) for a in argv])
    assert line.startswith("inception-repro")
    assert says.format(**values) in line
    assert tree(tmp_path) == before  # nothing written, nothing half-written


def test_a_corrupt_jpeg_is_named_before_any_model_runs_and_nothing_is_built(
    capsys, monkeypatch, tmp_path, corrupt_manual
):
    """Two runs: a split built from the broken tar would be taken as good by the second."""
    manual, name = corrupt_manual
    monkeypatch.setattr(keras.utils, "get_file", no_work)  # the weights come after the data
    argv = (*EVAL, "--manual-dir", manual, "--data-dir", tmp_path / "tfds")
    for _ in range(2):
        line = fails(capsys, argv)
        assert f"member 5 of the tar, {name}, does not decode as a JPEG" in line
        assert "the tar is corrupt and nothing was built" in line and data.VAL_TAR_MD5 in line
        assert not list((tmp_path / "tfds").rglob("dataset_info.json"))
        assert not list((tmp_path / "tfds").rglob(data.SOURCE_FILE))


def test_a_split_built_without_the_check_stops_the_evaluation_naming_it(
    monkeypatch, tmp_path, corrupt_manual
):
    """A split holding the corrupt image, as an earlier version or another tool built it (here:
    the tar check switched off): the evaluation stops in one line naming the split and the
    fix, not in TensorFlow's traceback."""
    data_dir = tmp_path / "tfds"
    with monkeypatch.context() as m:
        m.setattr(data, "_decode_problem", lambda item: None)
        data.prepare(corrupt_manual[0], data_dir)
    cfg = EvalConfig(IRV2, data_dir, allow_cpu=True, progress=False, batch_size=8)
    with pytest.raises(data.DataError) as error:
        run.evaluate(cfg, build=fake_imagenet.oracle_model)
    message = str(error.value)
    assert f"the imagenet2012 split in {data_dir} holds an image that does not decode (" in message
    assert re.search(r"does not decode \([^()]*JPEG[^()]*\): it was built from a corrupt", message)
    assert f"delete {data_dir / 'imagenet2012'} and build it again" in message
    assert "\n" not in message


def test_the_tar_check_passes_every_image_of_a_good_tar(fake_val):
    """The same check on the intact tar: each of its flavours (grayscale, progressive, 4:4:4)
    decodes, so the row above fails for the cut member alone."""
    source = data.tar_source(fake_val[0] / data.VAL_TAR)
    assert source.images == len(fake_val[1])


# --- 7: an unwritable home, and where Keras really caches ------------------------------------


def test_an_unwritable_keras_home_names_the_folder_keras_uses(monkeypatch, tmp_path):
    """Where the real get_file puts a file (given a local file as its origin: no network) is
    where the message says to put the weights: Keras's home, and when that cannot be written
    (its home read at import, so refused here through os.access, which Keras asks), the
    temporary folder's .keras."""
    origin = tmp_path / "origin.bin"
    origin.write_bytes(b"weights")
    fetched = []

    def fetch():
        name = f"inception-repro-probe-{uuid.uuid4().hex}.bin"
        fetched.append(Path(keras.utils.get_file(name, origin.as_uri(), cache_subdir="models")))
        return fetched[-1]

    try:
        home = fetch().parent.parent
        assert fetched[0].parent == weights.keras_home() / "models"
        real_access = os.access

        def access(path, mode, *args, **kwargs):  # the home refuses writes
            if Path(os.fspath(path)).is_relative_to(home) and mode & os.W_OK:
                return False
            return real_access(path, mode, *args, **kwargs)

        monkeypatch.setattr(os, "access", access)
        assert not fetch().is_relative_to(home)
        assert fetched[1].parent == weights.keras_home() / "models"
    finally:
        for path in fetched:
            path.unlink()
    monkeypatch.setattr(keras.utils, "get_file", no_work)
    with pytest.raises(WeightsError) as error:
        weights.resolve(IRV2)
    target = fetched[1].parent / weights.RELEASED_H5[IRV2].file_name
    assert f"at {target} (where Keras caches it)" in str(error.value)


# --- 2: loads, all or nothing ----------------------------------------------------------------


@SLIM_CHECKPOINTS
def test_a_checkpoint_cut_short_leaves_the_model_untouched(tmp_path, v4_checkpoint):
    """A V2 checkpoint whose data file is cut in half: its names and shapes are whole, its
    values are not. Nothing is set, and the error names the checkpoint."""
    prefix = slim_checkpoint.write(tmp_path / "v4.ckpt", v4_checkpoint[1], version="V2")
    (data_file,) = tmp_path.glob("v4.ckpt.data-*")
    data_file.write_bytes(data_file.read_bytes()[: data_file.stat().st_size // 2])
    model = registry.for_weights(V4).model
    before = model.get_weights()
    with pytest.raises(WeightsError) as error:
        checkpoints.load(model, checkpoints.resolve(V4, prefix), V4)
    message = str(error.value)
    assert f"checkpoint {prefix}: " in message and "truncated or corrupt" in message
    assert "\n" not in message
    after = model.get_weights()
    changed = [
        i for i, (a, b) in enumerate(zip(before, after, strict=True)) if not np.array_equal(a, b)
    ]
    assert changed == [], f"{len(changed)} of {len(before)} weights were set"


def test_a_h5_that_fails_part_way_leaves_the_model_untouched(tmp_path):
    """Keras's loader sets the weights layer by layer; a file whose last layer does not fit
    fails there. The model keeps the weights it had (zeros), and the line names the file."""
    model_id = "keras-inception-v3"
    model = registry.for_weights(model_id).model
    rng = np.random.default_rng(0)
    zeros = model.get_weights()
    model.set_weights([rng.standard_normal(w.shape).astype(w.dtype) + 1 for w in zeros])
    path = legacy_weights.write_legacy_h5(model, tmp_path / "v3.h5")
    model.set_weights(zeros)
    last = model.layers[-1]
    with h5py.File(path, "r+") as f:
        kernel = f"{last.name}/{last.kernel.name}:0"
        del f[last.name][kernel]
        f[last.name][kernel] = np.ones((2048, 10), np.float32)  # 10 classes, not 1000
    with pytest.raises(WeightsError) as error:
        weights.load(model, weights.resolve(model_id, path), model_id)
    message = str(error.value)
    assert f"weights file {path} does not fit {model_id}" in message and "\n" not in message
    layers = [layer for layer in model.layers if layer.weights]
    set_ = [layer.name for layer in layers if any(np.any(w) for w in layer.get_weights())]
    assert set_ == [], f"{len(set_)} of {len(layers)} layers were set"

    with h5py.File(path, "r+") as f:  # no layers: Keras's sentence ends in a full stop
        f.attrs["layer_names"] = np.array([], dtype="S1")
    with pytest.raises(WeightsError) as error:
        weights.load(model, weights.resolve(model_id, path), model_id)
    assert "found 0 saved layers. Pass a weights file saved from keras-inception-v3" in str(
        error.value
    )


# --- the helpers ----------------------------------------------------------------------------


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    target = tmp_path / "r.json"
    target.write_text("old\n")

    def fail(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError, match="No space"):
        files.write_text(target, "new\n")
    assert target.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["r.json"]
    monkeypatch.undo()
    files.write_text(target, "new\n")
    assert target.read_text() == "new\n" and [p.name for p in tmp_path.iterdir()] == ["r.json"]


def test_a_written_file_gets_the_mode_open_would_give_it(tmp_path):
    """Under the umask for a new file, an existing file's own mode kept (as by open(path, "w"))."""
    umask = os.umask(0o027)
    try:
        (tmp_path / "by-open").write_text("x\n")
        new = files.write_text(tmp_path / "new.json", "x\n")
        kept = tmp_path / "kept.json"
        kept.write_text("old\n")
        kept.chmod(0o604)
        files.write_text(kept, "new\n")
    finally:
        os.umask(umask)
    mode = stat.S_IMODE((tmp_path / "by-open").stat().st_mode)
    assert (mode, stat.S_IMODE(new.stat().st_mode)) == (0o640, mode)
    assert stat.S_IMODE(kept.stat().st_mode) == 0o604


def test_an_unpacking_cut_short_is_not_trusted_later(tmp_path, monkeypatch):
    """An archive unpacked; another of the same name whose unpacking fails half-way; the first
    again: it is unpacked again, and the half-written checkpoint is not used."""
    name, member = "inception_v4_2016_09_09.tar.gz", "inception_v4.ckpt"
    first, second = (tmp_path / "first", tmp_path / "second")
    for folder, value in ((first, 0.0), (second, 1.0)):
        folder.mkdir()
        tiny = slim_checkpoint.write(folder / "c.ckpt", {"x": np.full(1, value, np.float32)})
        slim_checkpoint.archive(tiny, folder / name, member)
    archive = tmp_path / name
    shutil.copy(first / name, archive)
    unpacked = Path(checkpoints.resolve("slim-inception-v4", archive).path).read_bytes()

    def cut_short(source, target):
        target.write(source.read(10))
        raise OSError(28, "No space left on device")

    shutil.copy(second / name, archive)
    monkeypatch.setattr(shutil, "copyfileobj", cut_short)
    with pytest.raises(WeightsError, match="could not unpack .*No space left on device"):
        checkpoints.resolve("slim-inception-v4", archive)
    monkeypatch.undo()
    folder = tmp_path / "inception_v4_2016_09_09"  # the old checkpoint, whole, and no stamp
    assert [p.name for p in folder.iterdir()] == [member]
    assert (folder / member).read_bytes() == unpacked
    shutil.copy(first / name, archive)
    again = checkpoints.resolve("slim-inception-v4", archive)
    assert Path(again.path).read_bytes() == unpacked


def test_an_archive_member_that_is_not_a_file_is_refused(tmp_path):
    """A member of the checkpoint's name that is a link is never followed or unpacked."""
    archive = tmp_path / "inception_v4_2016_09_09.tar.gz"
    link = tarfile.TarInfo("inception_v4.ckpt")
    link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
    with tarfile.open(archive, "w:gz") as tar:
        tar.addfile(link)
    with pytest.raises(WeightsError) as error:
        checkpoints.resolve("slim-inception-v4", archive)
    assert str(error.value) == (
        f"{archive}'s inception_v4.ckpt is not a file (it is a link or a folder): pass "
        "inception_v4_2016_09_09.tar.gz as released, or the .ckpt file itself"
    )
    assert [p.name for p in tmp_path.iterdir()] == [archive.name]  # nothing unpacked


def test_an_oserror_about_a_given_path_is_one_line(capsys, monkeypatch, tmp_path):
    """cli.main turns an OSError about a path the user gave (or a file inside it) into one
    line and exit 2; any other OSError is a bug of the project and keeps its traceback."""
    from inception_repro import report

    out = tmp_path / "out"

    def denied(path):
        raise PermissionError(13, "Permission denied", str(path / "report.md"))

    monkeypatch.setattr(report, "write", denied)
    line = fails(capsys, ["report", "--out", out])
    assert line == (
        f"inception-repro: error: --out {out}: Permission denied: {out / 'report.md'}; check "
        "that path and that you may read and write there"
    )

    def elsewhere(path):
        raise PermissionError(13, "Permission denied", "/somewhere/else")

    monkeypatch.setattr(report, "write", elsewhere)
    with pytest.raises(PermissionError):
        cli.main(["report", "--out", str(out)])


def test_the_options_read_as_documented(capsys):
    """--verbose after the command's name too, and --input-size says what it takes."""
    parse = cli.parser().parse_args
    assert parse(["summary", "paper-inception-v4", "--verbose"]).verbose
    assert not parse(["summary", "paper-inception-v4"]).verbose
    with pytest.raises(SystemExit):
        parse(["summary", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert "--input-size H W input height and width in pixels (default: 299 299)" in help_text


def test_a_network_diffed_with_itself_lists_no_discrepancies(capsys):
    assert cli.main(["diff", "paper-inception-v4", "paper-inception-v4"]) == 0
    assert "discrepancies" not in capsys.readouterr().out


def test_a_usage_error_is_printed_in_one_line(capsys, monkeypatch):
    def two_lines(model_id):
        raise UsageError("first line\nsecond line")

    monkeypatch.setattr(registry, "entry", two_lines)
    assert fails(capsys, ["summary", "x"]) == "inception-repro: error: first line second line"
