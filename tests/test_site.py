"""The course site builder (course_lib/site.py), without a browser.

Builds a small site from a temporary course tree (one lesson with a widget view and its static
fallback, one exercise, one solution) and checks what a browser would need: every script and
stylesheet a page names is a file of the site, none is on another host, the fallback is in a
<noscript>, the widget state is embedded, solutions only on request.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import nbformat
import pytest

from course_lib import site

ROOT = Path(__file__).resolve().parents[1]
VIEW = "application/vnd.jupyter.widget-view+json"
STATE = "application/vnd.jupyter.widget-state+json"
MODEL_ID = "0123456789abcdef0123456789abcdef"
FALLBACK = '<div class="course-explorer-static"><svg width="10"></svg>f = 0.5</div>'


def _lesson() -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    title = nbformat.v4.new_markdown_cell("# Lesson 05 — A tiny lesson\n\nThe gate $f_t$.")
    title.metadata["slideshow"] = {"slide_type": "slide"}
    code = nbformat.v4.new_code_cell("explorer")
    code.metadata["slideshow"] = {"slide_type": "slide"}
    code.outputs = [
        nbformat.v4.new_output(
            "display_data",
            data={
                VIEW: {"model_id": MODEL_ID, "version_major": 2, "version_minor": 0},
                "text/html": FALLBACK,
                "text/plain": "VBox()",
            },
        )
    ]
    nb.cells = [title, code]
    nb.metadata["widgets"] = {
        STATE: {
            "version_major": 2,
            "version_minor": 0,
            "state": {
                MODEL_ID: {
                    "model_name": "HTMLModel",
                    "model_module": "@jupyter-widgets/controls",
                    "model_module_version": "2.0.0",
                    "state": {"value": "<b>live</b>"},
                }
            },
        }
    }
    return nb


def _simple(title: str) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(f"# {title}"), nbformat.v4.new_code_cell("1 + 1")]
    return nb


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    root = tmp_path_factory.mktemp("course")
    for folder, name, nb in (
        ("notebooks", "05_tiny.ipynb", _lesson()),
        ("exercises", "hw05_tiny.ipynb", _simple("Homework 05 (exercise)")),
        ("solutions", "hw05_tiny.ipynb", _simple("Homework 05 (solution)")),
    ):
        (root / folder).mkdir()
        nbformat.write(nb, root / folder / name)
    return root


@pytest.fixture(scope="module")
def built(course, tmp_path_factory):
    out = tmp_path_factory.mktemp("out") / "_site"
    summary = site.build_site(out, root=course)
    return out, summary


def _references(page: Path) -> list[str]:
    text = page.read_text(encoding="utf-8")
    refs = re.findall(r'<(?:script|link)[^>]*?(?:src|href)="([^"]+)"', text)
    refs += re.findall(r"widgetRendererSrc = '([^']+)'", text)
    refs += re.findall(r'"(\.\./assets/[^"]+)"', text)  # require([...]) of the slides
    refs += re.findall(r"from '([^']+\.mjs)'", text)
    return refs


def test_pages_and_index(built):
    out, summary = built
    assert (out / "lessons/05_tiny.html").is_file()
    assert (out / "slides/05_tiny.slides.html").is_file()
    assert (out / "exercises/hw05_tiny.html").is_file()
    assert not (out / "solutions").exists(), "solutions are published only with --with-solutions"
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="lessons/05_tiny.html">Lesson 05 — A tiny lesson</a>' in index
    assert 'href="slides/05_tiny.slides.html"' in index
    assert 'href="exercises/hw05_tiny.html"' in index
    assert "solution" not in index.lower()
    assert [p.section for p in summary["pages"]] == ["lessons", "exercises"]


def test_every_script_is_served_by_the_site(built):
    out, _ = built
    pages = [*out.glob("lessons/*.html"), *out.glob("slides/*.html"), *out.glob("exercises/*.html")]
    assert len(pages) == 3
    for page in pages:
        refs = _references(page)
        assert any("require.js" in r for r in refs) and any("MathJax.js" in r for r in refs)
        for ref in refs:
            parts = urlsplit(ref)
            assert not parts.scheme and not parts.netloc, f"{page.name} loads {ref} from outside"
            target = (page.parent / parts.path).resolve()
            if not target.suffix:  # a require.js path names a module without its ".js"
                target = target.with_suffix(".js")
            assert target.is_file(), f"{page.name} names {ref}, which the site does not have"
            assert out.resolve() in target.parents
    slides = _references(out / "slides/05_tiny.slides.html")
    assert "../assets/reveal.js/dist/reveal.js" in slides
    assert "../assets/html-manager/embed-amd.js" in slides
    # MathJax's fonts: the config names STIX-Web, which the copied MathJax has
    assert (out / "assets/mathjax/fonts/HTML-CSS/STIX-Web").is_dir()
    assert (out / "assets/mathjax/jax/output/HTML-CSS/fonts/STIX-Web/fontdata.js").is_file()


def test_widget_state_embedded_and_fallback_in_noscript(built):
    out, _ = built
    for page in ("lessons/05_tiny.html", "slides/05_tiny.slides.html"):
        text = (out / page).read_text(encoding="utf-8")
        state = re.search(
            rf'<script type="{re.escape(STATE)}">(.*?)</script>', text, flags=re.DOTALL
        )
        assert state, f"{page}: no embedded widget state"
        assert MODEL_ID in json.loads(state.group(1))["state"]
        assert f'<script type="{VIEW}">' in text
        noscript = re.search(r"<noscript>(.*?)</noscript>", text, flags=re.DOTALL)
        assert noscript and 'class="course-explorer-static"' in noscript.group(1)
        # the fallback is not also shown outside <noscript>
        assert text.count('class="course-explorer-static"') == 1


def test_fallback_preprocessor_leaves_other_outputs():
    nb = _lesson()
    plain = nbformat.v4.new_output("display_data", data={"text/html": "<p>table</p>"})
    nb.cells[1].outputs.append(plain)
    cell, _ = site.fallback_preprocessor().preprocess_cell(nb.cells[1], {}, 1)
    assert [list(o["data"]) for o in cell.outputs] == [[VIEW], ["text/html"], ["text/html"]]
    assert cell.outputs[1]["data"]["text/html"].startswith("<noscript><div")
    assert cell.outputs[2]["data"]["text/html"] == "<p>table</p>"


def test_with_solutions(course, tmp_path):
    summary = site.build_site(tmp_path / "s", with_solutions=True, root=course)
    assert (tmp_path / "s/solutions/hw05_tiny.html").is_file()
    assert "Homework 05 (solution)" in (tmp_path / "s/index.html").read_text(encoding="utf-8")
    assert [p.section for p in summary["pages"]][-1] == "solutions"


def test_refuses_to_overwrite_a_folder_that_is_not_a_site(course, tmp_path):
    (tmp_path / "mine.txt").write_text("keep me")
    with pytest.raises(site.SiteError, match="not a course site"):
        site.build_site(tmp_path, root=course)
    assert (tmp_path / "mine.txt").read_text() == "keep me"


def test_no_lessons_is_an_error(tmp_path):
    (tmp_path / "notebooks").mkdir()
    with pytest.raises(site.SiteError, match="no lessons"):
        site.collect_pages(tmp_path)


def test_vendored_scripts_carry_their_licences():
    vendored = ROOT / "course_lib" / "site_assets"
    for path in ("html-manager/LICENSE", "jquery/LICENSE.txt", "reveal.js/LICENSE"):
        assert (vendored / path).is_file(), path
    assert "@license RequireJS" in (vendored / "requirejs/require.js").read_text()[:300]


def test_course_py_lists_site():
    out = subprocess.run(
        [sys.executable, str(ROOT / "course.py"), "no-such-command"],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 2 and "course.py site [--out DIR]" in out.stdout


def test_both_editions_side_by_side_and_links_between_notebooks_lead_to_pages(tmp_path):
    root = tmp_path / "course"
    lesson = _lesson()
    lesson.cells[0].source += (
        "\n\nSee [the glossary](glossary.ipynb), [hw05](../exercises/hw05_tiny.ipynb#part-1)"
        " and [Keras](https://keras.io/api/layers/index.ipynb)."
    )
    portuguese = _lesson()
    portuguese.cells[0].source = "# Aula 05 — Uma aula pequena"
    homework = _simple("Homework 05 (exercise)")
    homework.cells[0].source += "\n\n[glossary](../notebooks/glossary.ipynb)"
    for folder, name, nb in (
        ("notebooks", "05_tiny.ipynb", lesson),
        ("notebooks", "05_tiny.pt-BR.ipynb", portuguese),
        ("notebooks", "glossary.ipynb", _simple("Glossário · Glossary")),
        ("exercises", "hw05_tiny.ipynb", homework),
        ("exercises", "hw05_tiny.pt-BR.ipynb", _simple("Trabalho 05 (exercício)")),
    ):
        (root / folder).mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, root / folder / name)
    out = tmp_path / "_site"
    site.build_site(out, root=root)
    index = (out / "index.html").read_text(encoding="utf-8")
    (row,) = re.findall(r"<tr>.*?</tr>", index)  # one row for the lesson, both editions in it
    assert 'href="lessons/05_tiny.html">Lesson 05 — A tiny lesson' in row
    assert 'href="lessons/05_tiny.pt-BR.html">Aula 05 — Uma aula pequena' in row
    assert 'href="slides/05_tiny.pt-BR.slides.html"' in row
    assert 'href="lessons/glossary.html">Glossário · Glossary' in index
    assert 'href="exercises/hw05_tiny.pt-BR.html">português' in index
    page = (out / "lessons/05_tiny.html").read_text(encoding="utf-8")
    assert 'href="glossary.html"' in page and 'href="../exercises/hw05_tiny.html#part-1"' in page
    assert 'href="https://keras.io/api/layers/index.ipynb"' in page  # another site's link stays
    exercise = (out / "exercises/hw05_tiny.html").read_text(encoding="utf-8")
    assert 'href="../lessons/glossary.html"' in exercise
    for folder, text in (("lessons", page), ("exercises", exercise)):
        for link in re.findall(r'href="([^"#:]+\.html)', text):
            assert (out / folder / link).resolve().is_file(), f"{folder}: {link}"


def test_pages_load_anywidget_from_the_site(built):
    """The explorers' sliders are anywidget models: require.js is told where the site's copy of
    anywidget's front end is before the HTML manager asks for it (else it goes to a CDN)."""
    out, _ = built
    module = out / "assets" / "anywidget" / "index.js"
    assert 'define(["@jupyter-widgets/base"]' in module.read_text(encoding="utf-8")
    assert (out / "assets" / "anywidget" / "LICENSE").is_file()
    for page in [*out.glob("lessons/*.html"), *out.glob("slides/*.html")]:
        text = page.read_text(encoding="utf-8")
        config = text.find('require.config({paths: {anywidget: "../assets/anywidget/index"}})')
        assert 0 < text.find(site.REQUIRE_JS) < config < text.find(site.WIDGETS_JS), page.name
