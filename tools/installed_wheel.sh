#!/usr/bin/env bash
# The package as a user installs it: build the sdist and the wheel, check them, install the wheel
# into a clean venv (the lock's versions) and run every command from a folder outside the source
# tree, `eval` on a generated split and `compare-weights` on generated files included, with no
# path option to golden/ (it ships in the wheel). The gate's `wheel` job runs it (docs/ci.md).
#
#   tools/installed_wheel.sh WORKDIR        # WORKDIR: an empty folder outside the checkout
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$1"
work=$(cd "$1" && pwd)
case "$work/" in "$root"/*) echo "WORKDIR must be outside $root" >&2; exit 2 ;; esac

python -m build --outdir "$work/dist" "$root"
python -m twine check --strict "$work"/dist/*
python -m venv "$work/venv"
"$work/venv/bin/python" -m pip install --quiet -c "$root/requirements/lock.txt" "$work"/dist/*.whl
export PATH="$work/venv/bin:$PATH" TF_CPP_MIN_LOG_LEVEL=3
cd "$work"
case "$(python -c 'import inception_repro; print(inception_repro.__file__)')" in
  "$work/venv/"*) ;;
  *) echo "inception_repro is not imported from the installed wheel" >&2; exit 1 ;;
esac

inception-repro models
inception-repro summary paper-inception-resnet-v1 --input-size 75 75 --no-top > summary.txt
inception-repro diff paper-inception-resnet-v2 keras-inception-resnet-v2 > diff.txt
inception-repro report --out report
# the fixtures' generators, run by the installed package (they import it, not the checkout's)
python "$root/fixtures/fake_imagenet.py" imagenet --images 8
python "$root/fixtures/legacy_weights.py" --model keras-inception-resnet-v2 weights.h5
python "$root/fixtures/slim_checkpoint.py" --model slim-inception-resnet-v2 slim.ckpt
inception-repro eval --allow-cpu --model keras-inception-resnet-v2 --weights weights.h5 \
  --manual-dir imagenet --data-dir tfds --limit 8 --out results.json --no-progress
python -c "import json; assert json.load(open('results.json'))['n'] == 8"
# exit 1: the generated files differ weight by weight, as they should; 2 or more: it broke
status=0
inception-repro compare-weights slim.ckpt weights.h5 > compare.txt || status=$?
if [ "$status" -gt 1 ]; then cat compare.txt; exit "$status"; fi
echo "the installed wheel ran every command from $work"
