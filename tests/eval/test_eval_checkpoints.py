"""TF-Slim's checkpoints, loaded by variable name (evaluate/checkpoints.py), on synthetic ones.

The released checkpoints cannot be downloaded here: fixtures/slim_checkpoint.py writes
checkpoints in their format (tf.compat.v1.train.Saver, V1) under TF-Slim's names
(tests/support/slim_names.py), with deterministic values.
"""

import hashlib
import json
import math
import re

import numpy as np
import pytest
from support import slim_names
from support.groups import SLIM_CHECKPOINTS

from fixtures import slim_checkpoint
from inception_repro import cli, registry
from inception_repro.evaluate import checkpoints, protocols, report, run
from inception_repro.evaluate.config import EvalConfig
from inception_repro.evaluate.weights import WeightsError

pytestmark = [pytest.mark.eval, SLIM_CHECKPOINTS]

SLIM_IDS = tuple(slim_names.NAMES)


def loader_names(model_id):
    model = registry.graph(model_id).model
    return [n for _, names in checkpoints.variable_names(model, model_id) for n in names]


@pytest.mark.parametrize("model_id", SLIM_IDS)
def test_the_loader_reads_tf_slims_names(model_id):
    names = loader_names(model_id)
    assert len(names) == len(set(names)) == slim_names.COUNTS[model_id]
    assert sorted(names) == sorted(slim_names.NAMES[model_id]())
    assert set(slim_names.QUOTED[model_id]) <= set(names)


# The models' parameter counts (keras convention: what a TF-Slim checkpoint holds, BN without
# gamma), README's Models table; golden/models/<id>.params.yaml pins them from the summaries.
PARAMS = {"slim-inception-v4": 46_074_066, "slim-inception-resnet-v2": 59_244_594}


@pytest.mark.parametrize("model_id", SLIM_IDS)
def test_tf_slims_variables_add_up_to_the_models_parameters(model_id):
    """The checkpoint's variable list, shapes written from TF-Slim's code, holds as many values
    as the transcription has parameters: an independent count of both."""
    listed = sum(math.prod(shape) for shape in slim_names.SHAPES[model_id]().values())
    assert listed == PARAMS[model_id] == registry.graph(model_id).model.count_params()


@pytest.mark.parametrize("model_id", SLIM_IDS)
def test_each_conv_has_the_kernel_its_name_states(model_id):
    """TF-Slim names a conv by its kernel (Conv2d_0b_1x7: 1 x 7): a name paired with the wrong
    layer shows here whatever the loader does."""
    named = 0
    for layer, names in checkpoints.variable_names(registry.graph(model_id).model, model_id):
        size = re.search(r"_(\d)x(\d)/weights$", names[0])
        if size:
            assert tuple(layer.weights[0].shape[:2]) == tuple(map(int, size.groups())), names[0]
            named += 1
    assert named > 140


@pytest.fixture(scope="module")
def fresh_v4():
    return registry.for_weights("slim-inception-v4").model


def test_every_weight_is_its_checkpoint_variable(fresh_v4, v4_checkpoint):
    path, values = v4_checkpoint
    file = checkpoints.resolve("slim-inception-v4", path)
    assert checkpoints.load(fresh_v4, file, "slim-inception-v4") == 608  # not global_step
    for layer, names in checkpoints.variable_names(fresh_v4, "slim-inception-v4"):
        for name, w in zip(names, layer.get_weights(), strict=True):
            np.testing.assert_array_equal(w, values[name], err_msg=name)


def test_a_v2_checkpoint_loads_too(tmp_path, fake_val, fake_data_dir):
    """The Inception-ResNet-v2 model, from TF's current format (an index and a data file), end
    to end under the timm protocol, which drops the background output: the classifier of
    ranking_checkpoint ranks labels[0] first for every image."""
    model_id = "slim-inception-resnet-v2"
    labels = [im.label for im in sorted(fake_val[1], key=lambda im: im.index)[:4]]
    values, order = ranking_checkpoint(
        slim_checkpoint.variables(slim_names.SHAPES[model_id]()), labels, "InceptionResnetV2"
    )
    prefix = slim_checkpoint.write(tmp_path / "irv2.ckpt", values, version="V2")
    assert not prefix.exists() and prefix.with_name("irv2.ckpt.index").is_file()
    file = checkpoints.resolve(model_id, prefix)
    built = []

    def build():
        built.append(registry.for_weights(model_id).model)
        assert checkpoints.load(built[0], file, model_id) == 908
        return built[0]

    cfg = EvalConfig(
        model_id, fake_data_dir, fake_val[0], protocol="timm", batch_size=4, limit=4,
        allow_cpu=True, progress=False,
    )  # fmt: skip
    results = run.evaluate(cfg, build=build)
    assert results["labels"].endswith("background output dropped: 1000 classes")
    assert (results["all"]["top1_hits"], results["all"]["top5_hits"]) == (
        labels.count(order[0]),
        sum(label in order for label in labels),
    )
    for layer, names in checkpoints.variable_names(built[0], model_id):
        for name, w in zip(names, layer.get_weights(), strict=True):
            np.testing.assert_array_equal(w, values[name], err_msg=name)


MIXED = "InceptionV4/Mixed_6b/Branch_1/Conv2d_0b_1x7"


def _renamed(values):
    values[f"{MIXED}/BatchNorm/gamma"] = values.pop(f"{MIXED}/BatchNorm/beta")


def _missing(values):
    del values["InceptionV4/Logits/Logits/biases"]


def _extra(values):
    values[f"{MIXED}/biases"] = np.zeros(224, np.float32)


def _misshaped(values):
    values[f"{MIXED}/weights"] = values[f"{MIXED}/weights"][:, :, :, :200]


@pytest.mark.parametrize(
    "change, message",
    [
        (_renamed, rf"1 model variables missing from it \({MIXED}/BatchNorm/beta\); "
         rf"1 unexpected variables \({MIXED}/BatchNorm/gamma\)"),
        (_missing, r"1 model variables missing from it \(InceptionV4/Logits/Logits/biases\)"),
        (_extra, rf"1 unexpected variables \({MIXED}/biases\)"),
        (_misshaped, rf"1 of another shape \({MIXED}/weights \[1, 7, 192, 200\], the model's "
         r"\[1, 7, 192, 224\]\)"),
    ],
    ids=["renamed", "missing", "extra", "mis-shaped"],
)  # fmt: skip
def test_a_checkpoint_that_does_not_fit_is_refused_naming_the_variables(
    change, message, fresh_v4, v4_checkpoint
):
    values = dict(v4_checkpoint[1])
    change(values)
    shapes = {name: list(np.shape(v)) for name, v in values.items()}
    problems = "; ".join(checkpoints.mismatches(fresh_v4, "slim-inception-v4", shapes))
    assert re.fullmatch(message, problems)


def test_a_checkpoint_file_that_does_not_fit_loads_nothing(fresh_v4, v4_checkpoint, tmp_path):
    values = dict(v4_checkpoint[1])
    _renamed(values)
    path = slim_checkpoint.write(tmp_path / "bad.ckpt", values)
    before = fresh_v4.get_weights()[0].copy()
    file = checkpoints.resolve("slim-inception-v4", path)
    with pytest.raises(
        WeightsError, match="does not fit slim-inception-v4: 1 model variables"
    ) as e:
        checkpoints.load(fresh_v4, file, "slim-inception-v4")
    assert "\n" not in str(e.value) and "inception_v4_2016_09_09.tar.gz" in str(e.value)
    np.testing.assert_array_equal(fresh_v4.get_weights()[0], before)


def test_many_mismatches_are_counted_after_the_first_few(fresh_v4):
    stored = {f"InceptionV4/Other_{i}/weights": [1] for i in range(10)}
    problems = checkpoints.mismatches(fresh_v4, "slim-inception-v4", stored)
    assert problems[0].startswith("608 model variables missing from it (InceptionV4/")
    assert problems[0].endswith(" and 605 more)")
    assert problems[1] == (
        "10 unexpected variables (InceptionV4/Other_0/weights, InceptionV4/Other_1/weights, "
        "InceptionV4/Other_2/weights and 7 more)"
    )


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda p: p, "no TF checkpoint at .*nothing.ckpt: pass the .ckpt file"),
        (lambda p: p.write_bytes(b"not a checkpoint") and p, "is not a readable TF checkpoint"),
        (lambda p: p.with_suffix(".tar.gz"), "checkpoint archive .* not found"),
    ],
    ids=["absent", "not a checkpoint", "absent archive"],
)
def test_bad_paths_are_refused_in_one_line(tmp_path, make, message, fresh_v4):
    path = make(tmp_path / "nothing.ckpt")
    with pytest.raises(WeightsError, match=message) as e:
        checkpoints.load(fresh_v4, checkpoints.resolve("slim-inception-v4", path), "x")
    assert "\n" not in str(e.value)


def test_an_archive_is_unpacked_once_and_digested(tmp_path):
    tiny = slim_checkpoint.write(tmp_path / "c.ckpt", {"x": np.zeros(1, np.float32)})
    archive = slim_checkpoint.archive(
        tiny, tmp_path / "inception_v4_2016_09_09.tar.gz", "inception_v4.ckpt"
    )
    first = checkpoints.resolve("slim-inception-v4", archive)
    assert first.path == str(tmp_path / "inception_v4_2016_09_09" / "inception_v4.ckpt")
    assert first.sha256 == hashlib.sha256(archive.read_bytes()).hexdigest()
    assert first.digested == str(archive) and first.origin == "local archive"
    assert first.matches_pinned is None  # golden/checkpoints.yaml pins none for v4 yet
    again = checkpoints.resolve("slim-inception-v4", archive)
    assert again == first
    other = slim_checkpoint.archive(
        tiny, tmp_path / "other.tar.gz", "inception_resnet_v2_2016_08_30.ckpt"
    )
    with pytest.raises(WeightsError, match="holds no inception_v4.ckpt"):
        checkpoints.resolve("slim-inception-v4", other)
    broken = tmp_path / "broken.tar.gz"
    broken.write_bytes(archive.read_bytes()[:100])
    with pytest.raises(WeightsError, match="is not a readable .tar.gz"):
        checkpoints.resolve("slim-inception-v4", broken)


def test_the_released_archive_comes_through_get_file(monkeypatch, tmp_path):
    """Inception-ResNet-v2's archive has an md5 measured by its Keras port's author: get_file
    checks it, and the results say that a file that is not the archive does not match it."""
    tiny = slim_checkpoint.write(tmp_path / "c.ckpt", {"x": np.zeros(1, np.float32)})
    archive = slim_checkpoint.archive(
        tiny,
        tmp_path / "inception_resnet_v2_2016_08_30.tar.gz",
        "inception_resnet_v2_2016_08_30.ckpt",
    )
    calls = []
    monkeypatch.setattr(
        "keras.utils.get_file", lambda *a, **k: calls.append((a, k)) or str(archive)
    )
    file = checkpoints.resolve("slim-inception-resnet-v2", None)
    (name, origin), options = calls[0]
    assert name == "inception_resnet_v2_2016_08_30.tar.gz"
    assert origin == "http://download.tensorflow.org/models/inception_resnet_v2_2016_08_30.tar.gz"
    assert options == {"cache_subdir": "models", "file_hash": "9e0f18e1259acf943e30690460d96123"}
    assert file.origin == "released (keras.utils.get_file)"
    assert file.matches_pinned is False
    assert "NOT the pinned archive" in report._weights_line(file.as_dict())


def test_a_failed_download_says_where_to_put_the_archive(monkeypatch, tmp_path):
    def offline(*args, **kwargs):
        raise Exception("URL fetch failure: no network")

    monkeypatch.setattr("keras.utils.get_file", offline)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    with pytest.raises(WeightsError, match=r"put the archive at .*models/inception_v4_2016"):
        checkpoints.resolve("slim-inception-v4", None)


# --- eval, end to end --------------------------------------------------------------------------

BACKGROUND = 10.0


def ranking_checkpoint(values, labels, scope="InceptionV4"):
    """The classifier answers the same for every image: its kernel is zero and its biases rank
    background first, then labels[0] + 1, three classes no image has, then labels[1] + 1."""
    free = [c for c in range(1000) if c not in labels][:3]
    order = [labels[0], *free, labels[1]]
    biases = np.zeros(1001, np.float32)
    biases[0] = BACKGROUND
    for rank, c in enumerate(order):
        biases[c + 1] = BACKGROUND - 1 - rank
    out = dict(values)
    out[f"{scope}/Logits/Logits/weights"] = np.zeros((1536, 1001), np.float32)
    out[f"{scope}/Logits/Logits/biases"] = biases
    return out, order


def test_eval_runs_a_checkpoint_end_to_end(
    fake_val, fake_data_dir, v4_checkpoint, tmp_path, capsys
):
    """slim ranks background with the 1000 classes (TF-Slim's own evaluation), labels shifted
    by one (test_eval_pipeline.py: the other protocols drop background)."""
    protocol = "slim"
    plan = sorted(fake_val[1], key=lambda im: im.index)[:8]
    labels = [im.label for im in plan]
    values, order = ranking_checkpoint(v4_checkpoint[1], labels)
    path = slim_checkpoint.write(tmp_path / "ranking.ckpt", values)
    ranked = ["background", *order]
    want1 = sum(ranked[0] == label for label in labels)
    want5 = sum(label in ranked[:5] for label in labels)
    assert (want1, want5) == (0, labels.count(labels[0]))
    out = tmp_path / "results.json"
    code = cli.main([
        "eval", "--allow-cpu", "--model", "slim-inception-v4", "--weights", str(path),
        "--protocol", protocol, "--manual-dir", str(fake_val[0]),
        "--data-dir", str(fake_data_dir), "--limit", "8", "--out", str(out), "--no-progress",
    ])  # fmt: skip
    assert code == 0
    results = json.loads(out.read_text())
    assert results["all"]["n"] == 8
    assert (results["all"]["top1_hits"], results["all"]["top5_hits"]) == (want1, want5)
    assert results["weights"]["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert results["protocol"]["ranks_background"] is True
    assert results["weights"]["matches_pinned"] is None
    table = capsys.readouterr().out
    assert "(a checkpoint file: the pinned digests are of the released archive)" in table


def test_a_checkpoint_that_does_not_fit_fails_eval_with_exit_2(
    fake_val, fake_data_dir, tmp_path, capsys
):
    path = slim_checkpoint.write(tmp_path / "tiny.ckpt", {"x": np.zeros(1, np.float32)})
    code = cli.main([
        "eval", "--allow-cpu", "--model", "slim-inception-v4", "--weights", str(path),
        "--manual-dir", str(fake_val[0]), "--data-dir", str(fake_data_dir), "--limit", "8",
        "--no-progress",
    ])  # fmt: skip
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1
    assert err[0].startswith(f"inception-repro: error: checkpoint {path} does not fit")
    assert "608 model variables missing" in err[0] and "1 unexpected variables (x)" in err[0]


def test_labels_follow_the_protocol():
    model = registry.graph("slim-inception-v4").model
    assert run.labels(model, "m", protocols.get("slim")) == run.Labels(
        1, False, "TF-Slim 1001 classes: label + 1"
    )
    timm = run.labels(model, "m", protocols.get("timm", "slim-inception-v4"))
    assert (timm.offset, timm.drop_background) == (0, True)
