"""The throughput benchmark runs end to end (its numbers are recorded in docs/evaluation.md)."""

import pytest

from inception_repro.evaluate import PROTOCOL_NAMES, benchmark, run

pytestmark = pytest.mark.eval


def test_benchmark_measures_each_decoder_and_every_protocol(tmp_path, monkeypatch):
    # A GPU stands in for whatever this machine has: the resize rows name the first one.
    monkeypatch.setattr(run, "gpu_names", lambda: ["NVIDIA H200"])
    result = benchmark.measure(tmp_path, images=6, repeats=1)
    assert result["images"] == 6 and result["mean_jpeg_kb"] > 20
    per_decoder = [
        f"{kind}, {decoder}"
        for decoder in ("INTEGER_FAST", "INTEGER_ACCURATE")
        for kind in ("raw decode", "records + decode", "pipeline")
    ]
    resizes = [f"crop + resize, {name}" for name in PROTOCOL_NAMES]
    measured = ["records", *per_decoder, *resizes]
    for numbers in (result["images_per_s"], result["cpu_ms_per_image"]):
        assert list(numbers) == measured
        assert all(0 < value < float("inf") for value in numbers.values())
    assert result["resize_device"] == "NVIDIA H200"
    table = benchmark.table(result)
    assert table.count(", beside the model (on NVIDIA H200) |") == len(PROTOCOL_NAMES)
    assert "| raw decode (JPEG bytes in memory), INTEGER_ACCURATE |" in table
    assert "| input pipeline (records, decode, padded batch), INTEGER_FAST: slim |" in table
    assert "(INTEGER_FAST) and " in table and "the 80% target." in table


def _result(fast, accurate, device="CPU"):
    rates = {"records": 2000.0}
    for decoder, share in (("INTEGER_FAST", fast), ("INTEGER_ACCURATE", accurate)):
        rates |= {f"raw decode, {decoder}": 1000.0, f"records + decode, {decoder}": 950.0}
        rates[f"pipeline, {decoder}"] = 1000.0 * share
    rates["crop + resize, slim"] = 500.0
    return {"images": 8, "mean_jpeg_kb": 120.0, "cpu_cores": 2, "cpu": "x", "repeats": 1,
            "resize_device": device, "images_per_s": rates,
            "cpu_ms_per_image": dict.fromkeys(rates, 1.0)}  # fmt: skip


@pytest.mark.parametrize(
    "fast, accurate, reached", [(0.8, 0.85, True), (0.9, 0.79, False), (0.79, 0.9, False)]
)
def test_table_says_whether_every_decoder_reaches_the_target(fast, accurate, reached):
    table = benchmark.table(_result(fast, accurate))
    assert f"{fast:.0%} (INTEGER_FAST) and {accurate:.0%} (INTEGER_ACCURATE)" in table
    assert ("it reaches the 80% target" in table) == reached
    assert "| crop + resize, slim, beside the model (on CPU) | 500 |" in table


def test_generated_jpegs_are_imagenet_sized(tmp_path):
    import tarfile

    jpegs = benchmark.write_tar(tmp_path, 3)
    with tarfile.open(tmp_path / "ILSVRC2012_img_val.tar") as tar:
        assert tar.getnames() == [f"ILSVRC2012_val_{i:08d}.JPEG" for i in (1, 2, 3)]
    assert all(60_000 < len(j) < 400_000 for j in jpegs)
