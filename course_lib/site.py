"""Build the course site: ``python3 course.py site [--out DIR] [--with-solutions]``.

A static site that works offline (no CDN: every script it loads is served from the site):

    index.html                 the lesson map, English and Portuguese editions side by side (the
                               only hand-written template); links between notebooks lead to pages
    lessons/NAME.html          each executed lesson, widget state embedded (nbconvert's ``lab``
                               HTML exporter); explorers render from the saved state, and their
                               static fallback (text/html beside the widget view) shows without JS
    slides/NAME.slides.html    each lesson as a reveal.js deck (nbconvert's slides exporter)
    exercises/NAME.html        the homework as students get it
    solutions/NAME.html        only with ``--with-solutions`` (instructors)
    assets/                    require.js, the ipywidgets HTML manager (embed-amd.js), jQuery,
                               reveal.js, MathJax 2, anywidget (the explorers' sliders)

Where the JavaScript comes from: MathJax 2.7 from the PyPI package ``jupyter-server-mathjax``
(in requirements.txt); require.js, ``@jupyter-widgets/html-manager``'s ``embed-amd.js``, jQuery
and reveal.js 4.0.2 (the version nbconvert's slides template is written for) are vendored,
minimal files with their licences, in ``course_lib/site_assets/`` (see its README); anywidget's
front end (an AMD module the HTML manager loads through require.js, for the explorers' sliders,
``course_lib/widgets/slider.py``) is copied from the installed ``anywidget`` package, so that it
always matches the version that saved the widget state.
"""

from __future__ import annotations

import argparse
import html
import json
import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENDORED = Path(__file__).resolve().parent / "site_assets"
#: the end of a Portuguese edition's name (``05_lstm.pt-BR``), listed beside its English one
PT_SUFFIX = ".pt-BR"

# URLs as seen from a page one folder below the site root (lessons/, slides/, ...)
REQUIRE_JS = "../assets/requirejs/require.js"
JQUERY_JS = "../assets/jquery/jquery.min.js"
WIDGETS_JS = "../assets/html-manager/embed-amd.js"
MATHJAX_JS = "../assets/mathjax/MathJax.js?config=TeX-AMS-MML_HTMLorMML-full,Safe,local-fonts"
# jupyter-server-mathjax ships MathJax's STIX-Web fonts only (not the default TeX ones)
MATHJAX_LOCAL_FONTS = """MathJax.Hub.Config({
  "HTML-CSS": {availableFonts: [], preferredFont: null, webFont: "STIX-Web", imageFont: null}
});
MathJax.Ajax.loadComplete("[MathJax]/config/local-fonts.js");
"""
# nbconvert's slides template imports mermaid on every page; no lesson draws a mermaid diagram
# (build_site refuses one), so the site serves a module that does nothing instead of the CDN's
MERMAID_JS = "../assets/mermaid-none.mjs"
MERMAID_NONE = "export default { initialize() {}, registerLayoutLoaders() {} };\n"
REVEAL_PREFIX = "../assets/reveal.js"
# The HTML manager asks require.js for a widget module it does not bundle (anywidget) and falls
# back to a CDN; this path, set before it runs, makes require.js load the site's own copy
ANYWIDGET_JS = "../assets/anywidget/index"
REQUIRE_CONFIG = f'<script>require.config({{paths: {{anywidget: "{ANYWIDGET_JS}"}}}});</script>'
REVEAL_THEME = "white"  # its fonts ship with reveal.js (simple.css imports Google Fonts)


class SiteError(RuntimeError):
    """The site cannot be built (the message says why)."""


@dataclass(frozen=True)
class Page:
    """One notebook of the site: where it comes from and what the index says about it."""

    section: str  # "lessons", "exercises" or "solutions"
    source: Path
    title: str

    @property
    def name(self) -> str:
        return self.source.stem

    @property
    def html_path(self) -> str:
        return f"{self.section}/{self.name}.html"

    @property
    def slides_path(self) -> str | None:
        return f"slides/{self.name}.slides.html" if self.section == "lessons" else None


def notebook_title(nb) -> str:
    """The first Markdown heading of a notebook (its title), without the ``#``."""
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        for line in cell.source.splitlines():
            if line.lstrip().startswith("#"):
                return line.lstrip("# ").strip()
    return ""


def collect_pages(root: Path = ROOT, with_solutions: bool = False) -> list[Page]:
    """The notebooks of the site, lessons first, in course order."""
    import nbformat

    sections = ["lessons", "exercises"] + (["solutions"] if with_solutions else [])
    folders = {"lessons": "notebooks", "exercises": "exercises", "solutions": "solutions"}
    pages = []
    for section in sections:
        paths = sorted((root / folders[section]).glob("*.ipynb"))
        if not paths and section == "lessons":
            raise SiteError(f"no lessons found in {root / 'notebooks'}")
        for path in paths:
            nb = nbformat.read(path, as_version=4)
            pages.append(Page(section, path, notebook_title(nb) or path.stem))
    return pages


def copy_assets(out: Path) -> dict[str, int]:
    """Copy the offline JavaScript into ``out/assets``; return bytes per asset folder."""
    assets = out / "assets"
    if not VENDORED.is_dir():
        raise SiteError(f"the vendored scripts are missing: {VENDORED}")
    shutil.copytree(VENDORED, assets, dirs_exist_ok=True, ignore=shutil.ignore_patterns("*.md"))
    try:
        import jupyter_server_mathjax
    except ImportError:
        raise SiteError(
            "MathJax comes from the package jupyter-server-mathjax: pip install -r requirements.txt"
        ) from None
    mathjax = Path(jupyter_server_mathjax.__file__).parent / "static"
    shutil.copytree(
        mathjax,
        assets / "mathjax",
        dirs_exist_ok=True,
        # the SVG output and its fonts are not used (the config is HTML-CSS / MathML)
        ignore=shutil.ignore_patterns("SVG", "*.eot", "*.otf"),
    )
    (assets / "mathjax" / "config" / "local-fonts.js").write_text(MATHJAX_LOCAL_FONTS)
    (assets / "mermaid-none.mjs").write_text(MERMAID_NONE)
    copy_anywidget(assets / "anywidget")
    return {
        p.name: sum(f.stat().st_size for f in p.rglob("*") if f.is_file())
        for p in sorted(assets.iterdir())
        if p.is_dir()
    }


def copy_anywidget(folder: Path) -> None:
    """anywidget's AMD front end (its classic-notebook extension) and licence, from the
    installed package."""
    from importlib import metadata

    try:
        dist = metadata.distribution("anywidget")
    except metadata.PackageNotFoundError:
        raise SiteError(
            "the explorers' sliders need the package anywidget: pip install -r requirements.txt"
        ) from None
    files = {Path(str(f)).name.upper(): dist.locate_file(f) for f in dist.files or ()}
    module = next(
        (dist.locate_file(f) for f in dist.files or () if str(f).endswith("anywidget/index.js")),
        None,
    )
    if module is None or not Path(module).is_file():
        raise SiteError(f"anywidget {dist.version} ships no nbextensions/anywidget/index.js")
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(module, folder / "index.js")
    if "LICENSE" in files:
        shutil.copyfile(files["LICENSE"], folder / "LICENSE")


def _require_config(body: str) -> str:
    """Insert :data:`REQUIRE_CONFIG` right after the page's require.js."""
    tag = re.search(rf'<script[^>]*src="{re.escape(REQUIRE_JS)}"[^>]*>\s*</script>', body)
    if tag is None:
        raise SiteError("the exported page loads no require.js")
    return body[: tag.end()] + REQUIRE_CONFIG + body[tag.end() :]


WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def fallback_preprocessor():
    """An nbconvert preprocessor: each explorer's static fallback in a ``<noscript>``.

    nbconvert shows only the richest format of an output, so an output holding a widget view
    and a text/html fallback shows the widget alone, and nothing at all without JavaScript.
    This splits such an output in two: the widget view, then the fallback wrapped in
    ``<noscript>`` (shown by a browser exactly when scripts do not run).
    """
    from nbconvert.preprocessors import Preprocessor

    class NoscriptFallback(Preprocessor):
        def preprocess_cell(self, cell, resources, index):
            if cell.cell_type != "code":
                return cell, resources
            outputs = []
            for output in cell.outputs:
                data = output.get("data", {})
                if WIDGET_VIEW in data and "text/html" in data:
                    fallback = data["text/html"]
                    if isinstance(fallback, list):
                        fallback = "".join(fallback)
                    view = output.copy()
                    view["data"] = {WIDGET_VIEW: data[WIDGET_VIEW]}
                    outputs.append(view)
                    outputs.append(
                        {
                            "output_type": "display_data",
                            "metadata": {},
                            "data": {"text/html": f"<noscript>{fallback}</noscript>"},
                        }
                    )
                else:
                    outputs.append(output)
            cell.outputs = outputs
            return cell, resources

    return NoscriptFallback()


def _html_exporter():
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(
        template_name="lab",
        require_js_url=REQUIRE_JS,
        jquery_url=JQUERY_JS,
        widget_renderer_url=WIDGETS_JS,
        mathjax_url=MATHJAX_JS,
        mermaid_js_url=MERMAID_JS,
        mermaid_layout_elk_js_url="",
    )
    exporter.register_preprocessor(fallback_preprocessor(), enabled=True)
    return exporter


def _slides_exporter():
    from nbconvert import SlidesExporter

    exporter = SlidesExporter(
        require_js_url=REQUIRE_JS,
        jquery_url=JQUERY_JS,
        widget_renderer_url=WIDGETS_JS,
        mathjax_url=MATHJAX_JS,
        mermaid_js_url=MERMAID_JS,
        mermaid_layout_elk_js_url="",
        reveal_url_prefix=REVEAL_PREFIX,
        reveal_theme=REVEAL_THEME,
    )
    exporter.register_preprocessor(fallback_preprocessor(), enabled=True)
    return exporter


def _link_notebooks(body: str) -> str:
    """Links between the course's notebooks (``../exercises/hw05_lstm.ipynb``,
    ``glossary.ipynb``) point at their pages on the site (``notebooks/`` is ``lessons/`` there)."""

    def page(match: re.Match) -> str:
        target = match.group(2)
        if re.match(r"[a-z][a-z0-9+.-]*:", target):  # http:, https: …: not ours
            return match.group(0)
        target = re.sub(r"(^|/)notebooks/", r"\1lessons/", target)
        return f'{match.group(1)}{target}.html{match.group(3) or ""}"'

    return re.sub(r'(href=")([^"#]*?)\.ipynb(#[^"]*)?"', page, body)


def write_index(out: Path, pages: list[Page]) -> None:
    """The lesson map: one row per lesson (page and slides, English and Portuguese), the glossary,
    then the homework."""
    esc = html.escape
    rows, homework, solutions, others = [], [], [], []
    by_name = {(p.section, p.name): p for p in pages}
    for page in pages:
        if (
            page.name.endswith(PT_SUFFIX)
            and (page.section, page.name[: -len(PT_SUFFIX)]) in by_name
        ):
            continue  # listed beside its English edition
        pt = by_name.get((page.section, page.name + PT_SUFFIX))
        if page.section == "lessons" and page.slides_path and page.name[:2].isdigit():
            portuguese = (
                f'<td lang="pt-BR"><a href="{esc(pt.html_path)}">{esc(pt.title)}</a></td>'
                f'<td><a href="{esc(pt.slides_path)}">slides</a></td>'
                if pt
                else "<td></td><td></td>"
            )
            rows.append(
                f'<tr><td>{esc(page.name[:2])}</td><td><a href="{esc(page.html_path)}">'
                f'{esc(page.title)}</a></td><td><a href="{esc(page.slides_path)}">slides</a>'
                f"</td>{portuguese}</tr>"
            )
        elif page.section == "lessons":
            others.append(f'<li><a href="{esc(page.html_path)}">{esc(page.title)}</a></li>')
        else:
            target = homework if page.section == "exercises" else solutions
            extra = f' · <a lang="pt-BR" href="{esc(pt.html_path)}">português</a>' if pt else ""
            target.append(
                f'<li><a href="{esc(page.html_path)}">{esc(page.name)}</a>: {esc(page.title)}'
                f"{extra}</li>"
            )
    others_html = f'<ul id="more">{"".join(others)}</ul>' if others else ""
    solutions_html = (
        f"<h2>Solutions (instructors)</h2><ul>{''.join(solutions)}</ul>" if solutions else ""
    )
    out.joinpath("index.html").write_text(
        f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Recurrent networks, gate by gate</title>
<style>
body {{ font-family: sans-serif; max-width: 60em; margin: 2em auto; padding: 0 1em; }}
table {{ border-collapse: collapse; }} td {{ padding: .3em .8em; border-bottom: 1px solid #ddd; }}
</style></head>
<body>
<h1>Recurrent networks, gate by gate</h1>
<p>From the perceptron to an LSTM trained on real Bitcoin prices. Each lesson is shown as it
was executed, with its explorers drawn from the saved state (run the notebook in JupyterLab to
move them), and as slides (arrow keys to step, <kbd>s</kbd> for speaker notes).</p>
<h2>Lessons</h2>
<p lang="pt-BR">Edição em português: a terceira coluna (as verificações e os exploradores também
falam português).</p>
<table id="lesson-map">{"".join(rows)}</table>
{others_html}
<h2>Homework</h2>
<ul id="homework">{"".join(homework)}</ul>
{solutions_html}
</body></html>
""",
        encoding="utf-8",
    )


def build_site(out: Path, with_solutions: bool = False, root: Path = ROOT) -> dict:
    """Build the site into ``out`` (emptied first); return a summary (pages, sizes)."""
    import nbformat
    from tqdm.auto import tqdm

    out = Path(out)
    if out.exists():
        if not (out / "index.html").exists() and any(out.iterdir()):
            raise SiteError(f"{out} exists and is not a course site; choose an empty folder")
        shutil.rmtree(out)
    out.mkdir(parents=True)
    pages = collect_pages(root, with_solutions)
    assets = copy_assets(out)
    html_exporter, slides_exporter = _html_exporter(), _slides_exporter()
    for page in tqdm(pages, desc="course site", unit="notebook"):
        nb = nbformat.read(page.source, as_version=4)
        if page.section == "lessons" and not nb.metadata.get("widgets") and _has_widgets(nb):
            raise SiteError(f"{page.source.name} shows widgets but stores no widget state")
        if any(c.cell_type == "markdown" and "```mermaid" in c.source for c in nb.cells):
            raise SiteError(f"{page.source.name} has a mermaid diagram: the site has no mermaid")
        resources = {"metadata": {"name": page.name, "path": str(page.source.parent)}}
        body, _ = html_exporter.from_notebook_node(nb, resources=dict(resources))
        body = _require_config(_link_notebooks(body))
        target = out / page.html_path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(body, encoding="utf-8")
        if page.slides_path:
            body, _ = slides_exporter.from_notebook_node(nb, resources=dict(resources))
            body = _require_config(_link_notebooks(body))
            target = out / page.slides_path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(body, encoding="utf-8")
    write_index(out, pages)
    total = sum(f.stat().st_size for f in out.rglob("*") if f.is_file())
    return {"pages": pages, "assets": assets, "bytes": total}


def _has_widgets(nb) -> bool:
    return any(
        "application/vnd.jupyter.widget-view+json" in output.get("data", {})
        for cell in nb.cells
        for output in cell.get("outputs", [])
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="course.py site", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "_site", help="default: _site/")
    parser.add_argument(
        "--with-solutions",
        action="store_true",
        help="also publish solutions/ (for instructors; never for students)",
    )
    args = parser.parse_args(argv)
    try:
        summary = build_site(args.out, with_solutions=args.with_solutions)
    except SiteError as err:
        print(f"course site: {err}", file=sys.stderr)
        return 1
    pages = summary["pages"]
    counts = {s: sum(p.section == s for p in pages) for s in ("lessons", "exercises", "solutions")}
    print(
        f"Wrote {args.out}/index.html: {counts['lessons']} lessons (page and slides), "
        f"{counts['exercises']} exercises"
        + (f", {counts['solutions']} solutions" if args.with_solutions else "")
        + f"; {summary['bytes'] / 1e6:.1f} MB in all, of which assets "
        + json.dumps({k: f"{v / 1e6:.1f} MB" for k, v in summary["assets"].items()})
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
