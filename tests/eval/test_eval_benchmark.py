"""The throughput benchmark runs end to end (its numbers are recorded in docs/evaluation.md)."""

import pytest

from inception_repro.evaluate import PROTOCOL_NAMES, benchmark

pytestmark = pytest.mark.eval


def test_benchmark_measures_decode_and_every_protocol(tmp_path):
    result = benchmark.measure(tmp_path, images=6, repeats=1)
    assert result["images"] == 6 and result["mean_jpeg_kb"] > 20
    resizes = [f"crop + resize, {name}" for name in PROTOCOL_NAMES]
    measured = ["raw decode", "pipeline", "records", "records + decode", *resizes]
    for numbers in (result["images_per_s"], result["cpu_ms_per_image"]):
        assert list(numbers) == measured
        assert all(0 < value < float("inf") for value in numbers.values())
    assert result["resize_device"] == "CPU"
    table = benchmark.table(result)
    assert table.count(", beside the model (on CPU) |") == len(PROTOCOL_NAMES)
    assert "| raw decode (JPEG bytes in memory) |" in table
    assert "The input pipeline runs at " in table and "the 80% target." in table


def test_table_says_whether_the_target_is_reached():
    names = ["raw decode", "pipeline", "records", "records + decode"]
    result = {"images": 8, "mean_jpeg_kb": 120.0, "cpu_cores": 2, "cpu": "x", "repeats": 1,
              "resize_device": "CPU", "cpu_ms_per_image": dict.fromkeys(names, 1.0)}  # fmt: skip
    for share, verdict in ((0.79, "79% of raw decoding"), (0.8, "80% of raw decoding")):
        result["images_per_s"] = {**dict.fromkeys(names, 1000.0), "pipeline": 1000.0 * share}
        table = benchmark.table(result)
        assert verdict in table
        assert ("it reaches the 80% target" in table) == (share >= 0.8)


def test_generated_jpegs_are_imagenet_sized(tmp_path):
    import tarfile

    jpegs = benchmark.write_tar(tmp_path, 3)
    with tarfile.open(tmp_path / "ILSVRC2012_img_val.tar") as tar:
        assert tar.getnames() == [f"ILSVRC2012_val_{i:08d}.JPEG" for i in (1, 2, 3)]
    assert all(60_000 < len(j) < 400_000 for j in jpegs)
