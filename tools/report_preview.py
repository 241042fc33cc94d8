"""report.md as GitHub shows it: marked for the Markdown, mermaid 11 for the diagrams, headless
Chromium for the pictures. Run by `tox -e report-preview` (docs/report-preview.md):

    python tools/report_preview.py out/report.md --js DIR --out out/preview

DIR is an npm prefix holding mermaid and marked (`npm install --prefix DIR mermaid@11
marked@15`); `chromium` is Debian's. It writes report.html and diagram-N.png, one per mermaid
block, and exits 1, naming the block, when mermaid cannot parse one.
"""

from __future__ import annotations

import argparse
import html
import json
import re
import subprocess
import sys
from pathlib import Path

MERMAID_BLOCK = re.compile(r'<pre><code class="language-mermaid">(.*?)</code></pre>', re.S)
CHROMIUM = [
    "chromium",
    "--headless",
    "--no-sandbox",  # runs as root in CI containers
    "--disable-gpu",
    "--allow-file-access-from-files",
    "--hide-scrollbars",
    "--virtual-time-budget=20000",  # let mermaid render before the DOM or picture is taken
]
# Each diagram's page size, wide enough for the stems side by side and tall enough for them.
WINDOW = {"flowchart": "1100,1500", "xychart-beta": "900,560"}

PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>{title}</title>
<style>body {{ font-family: sans-serif; max-width: 1100px; margin: 16px; }}
table {{ border-collapse: collapse; }} td, th {{ border: 1px solid #ccc; padding: 2px 6px; }}
#parse-errors {{ display: none; }}</style>
</head><body>
{body}
<pre id="parse-errors"></pre>
<script src="{mermaid}"></script>
<script>
(async () => {{
  mermaid.initialize({{ startOnLoad: false, securityLevel: "strict" }});
  const blocks = [...document.querySelectorAll("pre.mermaid")];
  const errors = [];
  for (const [i, block] of blocks.entries()) {{
    try {{ await mermaid.parse(block.textContent); }}
    catch (e) {{ errors.push(`diagram ${{i + 1}}: ${{e.message || e}}`); }}
  }}
  document.getElementById("parse-errors").textContent = JSON.stringify(errors);
  await mermaid.run({{ nodes: blocks }});
  document.title = "rendered";
}})();
</script>
</body></html>
"""


def markdown_to_html(markdown: Path, js: Path) -> str:
    marked = js / "node_modules" / ".bin" / "marked"
    out = subprocess.run(
        [str(marked), "--gfm", "-i", str(markdown)], capture_output=True, text=True, check=True
    )
    # marked writes ```mermaid as an escaped code block; mermaid reads the text of <pre class>.
    return MERMAID_BLOCK.sub(lambda m: f'<pre class="mermaid">{m.group(1)}</pre>', out.stdout)


def page(body: str, js: Path, title: str) -> str:
    mermaid = (js / "node_modules" / "mermaid" / "dist" / "mermaid.min.js").resolve().as_uri()
    return PAGE.format(title=html.escape(title), body=body, mermaid=mermaid)


def parse_errors(path: Path) -> list[str]:
    dom = subprocess.run(
        [*CHROMIUM, "--dump-dom", path.resolve().as_uri()],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    found = re.search(r'<pre id="parse-errors">(.*?)</pre>', dom, re.S)
    if found is None or not found.group(1):
        return ["the page did not finish: mermaid did not run"]
    return json.loads(html.unescape(found.group(1)))


def screenshot(path: Path, png: Path, window: str) -> None:
    subprocess.run(
        [*CHROMIUM, f"--screenshot={png}", f"--window-size={window}", path.resolve().as_uri()],
        capture_output=True,
        check=True,
    )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("markdown", type=Path)
    parser.add_argument("--js", type=Path, required=True, help="npm prefix with mermaid, marked")
    parser.add_argument("--out", type=Path, default=Path("out/preview"))
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    body = markdown_to_html(args.markdown, args.js)
    report = args.out / "report.html"
    report.write_text(page(body, args.js, args.markdown.name))
    errors = parse_errors(report)
    if errors:
        print(f"{args.markdown}: mermaid cannot parse it:", *errors, sep="\n  ", file=sys.stderr)
        return 1
    blocks = re.findall(r'<pre class="mermaid">.*?</pre>', body, re.S)
    for i, block in enumerate(blocks, start=1):
        single = args.out / f"diagram-{i}.html"
        single.write_text(page(block, args.js, f"diagram {i}"))
        kind = html.unescape(block).split(">", 1)[1].split(None, 1)[0]
        screenshot(single, args.out / f"diagram-{i}.png", WINDOW.get(kind, "1100,1200"))
    print(f"wrote {report} and {len(blocks)} diagrams (diagram-1.png ..); mermaid parsed them all")
    return 0


if __name__ == "__main__":
    sys.exit(main())
