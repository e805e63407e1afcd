"""The explorers in Portuguese: after ``course_lib.set_language("pt-BR")`` every explorer builds
with the Portuguese texts of ``widgets.po``, and after ``set_language("en")`` with the English
ones again.

The expected texts are read from the catalogue file here, with Babel's ``read_po`` (not through
``course_lib.i18n``), and looked for in what the explorer shows: the descriptions, tooltips and
option labels of its controls, the texts of its plots, diagrams and tables, its static picture.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import ipywidgets as widgets
import pytest
from babel.messages.pofile import read_po

import course_lib
from course_lib.widgets.attention import AttentionExplorer
from course_lib.widgets.gradients import ClippingExplorer, VanishingGradientExplorer
from course_lib.widgets.gru import GRUGateExplorer
from course_lib.widgets.lstm import LSTMGateExplorer
from course_lib.widgets.mlp import ActivationExplorer, HiddenUnitsExplorer
from course_lib.widgets.perceptron import PerceptronTrainer
from course_lib.widgets.rnn import UnrolledRNNExplorer

PO = Path(__file__).resolve().parent.parent / "course_lib/i18n/locale/pt_BR/LC_MESSAGES/widgets.po"
EXPLORERS = [
    PerceptronTrainer,
    ActivationExplorer,
    HiddenUnitsExplorer,
    UnrolledRNNExplorer,
    VanishingGradientExplorer,
    ClippingExplorer,
    LSTMGateExplorer,
    GRUGateExplorer,
    AttentionExplorer,
]


def _catalogue() -> dict[str, str]:
    with PO.open("rb") as handle:
        catalogue = read_po(handle)
    return {m.id: m.string for m in catalogue if m.id and m.string and not m.fuzzy}


PT = _catalogue()
#: English texts (without placeholders) whose Portuguese differs: none may show in Portuguese.
CHANGED = {en: pt for en, pt in PT.items() if en != pt and "{" not in en}


def _controls_text(widget) -> list[str]:
    """Descriptions, tooltips and option labels of every control in a widget tree."""
    out = []
    for attr in ("description", "tooltip"):
        value = getattr(widget, attr, None)
        if isinstance(value, str) and value:
            out.append(value)
    out += list(getattr(widget, "_options_labels", ()) or ())
    for child in getattr(widget, "children", ()):
        out += _controls_text(child)
    return out


def _html_text(widget) -> list[str]:
    """The text nodes of every HTML widget (plots, diagrams, tables, headings) in a tree."""
    out = []
    if isinstance(widget, widgets.HTML) and "<style>" not in widget.value:
        out += [html.unescape(t).strip() for t in re.findall(r">([^<>]+)<", widget.value)]
    for child in getattr(widget, "children", ()):
        out += _html_text(child)
    return [t for t in out if t]


def shown(explorer) -> list[str]:
    """Every text the explorer shows."""
    return _controls_text(explorer.widget) + _html_text(explorer.widget)


def test_the_catalogue_has_the_lectures_terms():
    """The glossary's terms, as the lectures say them (a check on the catalogue itself)."""
    assert PT["forget gate f"] == "portão de esquecimento f"
    assert PT["update gate z"] == "portão de atualização z"
    assert PT["learning rate η"] == "taxa de aprendizado η"
    assert PT["hidden state hₜ"] == "estado oculto hₜ"


@pytest.mark.parametrize("cls", EXPLORERS, ids=lambda c: c.__name__)
def test_every_explorer_builds_in_portuguese_and_then_in_english_again(cls, portuguese):
    pt = shown(cls())
    left = sorted({t for t in pt if t in CHANGED})
    assert not left, f"{cls.__name__} still shows English texts in Portuguese: {left}"
    assert any(t in PT.values() for t in pt), f"{cls.__name__} shows no Portuguese text"
    # the scene buttons carry the scenes' Portuguese names; the scenes keep their English keys
    buttons = [b.description for b in cls()._buttons]
    assert buttons == [PT.get(name, name) for name in cls().SCENES]
    course_lib.set_language("en")
    en = shown(cls())
    assert not {t for t in en if t in CHANGED.values()}, f"{cls.__name__} is not English again"
    assert [b.description for b in cls()._buttons] == list(cls().SCENES)


def test_the_perceptron_in_portuguese(portuguese):
    e = PerceptronTrainer()
    texts = shown(e)
    for english in ("Step", "Epoch", "Restart", "learning rate η", "errors after each epoch"):
        assert PT[english] in texts, english
    assert e.buttons["epoch"].tooltip == PT["one pass over all examples"]
    # the dropdown shows Portuguese names and keeps the English values the code uses
    gate = e.controls["gate"]
    labels = dict(zip(gate._options_values, gate._options_labels, strict=True))
    assert labels["overlapping cloud"] == PT["overlapping cloud"] and labels["AND"] == "AND"
    e.set(gate="overlapping cloud")
    assert e.values["gate"] == "overlapping cloud"
    # the title: "{data}: {errors} of {n} misclassified", the data named in Portuguese
    title = PT["{data}: {errors} of {n} misclassified"].format(
        data=PT["overlapping cloud"], errors=e.values["errors"], n=len(e.t)
    )
    assert title in e.view.widget.value


def test_the_lstm_explorer_and_its_diagram_in_portuguese(portuguese):
    e = LSTMGateExplorer()
    texts = shown(e)
    for english in ("forget gate f", "input gate i", "output gate o", "cell state c (long-term)"):
        assert PT[english] in texts, english
    assert PT["gate (σ)"] in texts and PT["0 closed"] in texts  # the colour legend
    # a scene is still called by its English name; what is shown names it in Portuguese
    e.scene("forget gate closed")
    assert e.current_scene == "forget gate closed"
    assert PT["scene “{name}”"].format(name=PT["forget gate closed"]) in e.static_html()
    assert PT["(a picture of the saved state; run the notebook to move the controls)"] in (
        e.static_html()
    )
    assert repr(PT["forget gate closed"]) in e._repr_mimebundle_()["text/plain"]
    e.set(mode="tape", t=3)
    title = PT["LSTM cell, step t = {t} of the tape"].format(t=3)
    assert f"<title>{title}</title>" in e.diagram.value
    assert PT["memory tape: c and h step by step"] in e.tape_view.widget.value
    # a mistyped sequence is explained in Portuguese
    e.controls["sequence"].value = "1, 99"
    reason = PT["{value} is outside the input range [{low}, {high}]"].format(
        value=99.0, low=-3.0, high=3.0
    )
    assert PT["sequence not used: {reason}"].format(reason=reason) in e._status.value


def test_the_rnn_message_and_picture_in_portuguese(portuguese):
    e = UnrolledRNNExplorer()
    e.controls["sequence"].value = ""
    want = PT["the sequence is empty: type 1 to {n} numbers separated by commas"].format(n=12)
    assert html.escape(want) in e._message.value
    assert PT["(box: tanh(pre-activation) and hₜ; colour: red +, blue −)"] in e._diagram.value
    assert "hₜ = tanh(wx·xₜ + wh·hₜ₋₁ + b)" in e._diagram.value  # the equation stays as is


def test_the_colour_legend_follows_the_language():
    """The legend is made once per language: switching back and forth never mixes them."""
    english = GRUGateExplorer().diagram.value
    assert "gate (σ)" in english and PT["gate (σ)"] not in english
    course_lib.set_language("pt-BR")
    try:
        portuguese = GRUGateExplorer().diagram.value
    finally:
        course_lib.set_language("en")
    assert PT["gate (σ)"] in portuguese and PT["value (tanh, c, h)"] in portuguese
    assert GRUGateExplorer().diagram.value == english


def test_the_language_is_english_outside_the_fixture():
    assert course_lib.i18n.get_language() == "en"
    assert "Step" in shown(PerceptronTrainer())


# -- what the core modules print: the data report of lesson 07 -----------------------------------
CORE_PO = PO.with_name("course_lib.po")


def _core_catalogue() -> dict[str, str]:
    with CORE_PO.open("rb") as handle:
        catalogue = read_po(handle)
    return {m.id: m.string for m in catalogue if m.id and m.string and not m.fuzzy}


def test_the_data_report_in_portuguese_and_in_english_again(portuguese):
    from course_lib.data import load_bitcoin, resample_ohlcv
    from course_lib.data.formats import SHIPPED_DAILY

    core = _core_catalogue()
    df = load_bitcoin(SHIPPED_DAILY)  # daily bars, as lesson 07 loads them
    report = df.attrs["report"]
    assert report[0] == core["read {rows} rows from {file} ({format}, {step} rows)"].format(
        rows=f"{len(df):,}",
        file=SHIPPED_DAILY.name,
        format=core["Kaggle bitcoin-historical-data, 6-column format"],
        step=core["daily"],
    )
    assert core["volume unit: {unit}"].format(unit="BTC") in report
    assert df.attrs["format"] == core["Kaggle bitcoin-historical-data, 6-column format"]
    assert df.attrs["source"].startswith(core[SHIPPED_LABEL])
    weekly = resample_ohlcv(df, "W").attrs["report"]
    assert core["no empty periods (every period has at least one trade)"] in weekly
    course_lib.set_language("en")
    english = load_bitcoin(SHIPPED_DAILY).attrs["report"]
    assert english[0] == (
        f"read {len(df):,} rows from {SHIPPED_DAILY.name} "
        "(Kaggle bitcoin-historical-data, 6-column format, daily rows)"
    )
    assert not set(english) & set(report)


SHIPPED_LABEL = (
    "shipped with the course: course_lib/datasets/btcusd-bitstamp-daily.csv (real Bitstamp "
    "daily OHLCV 2011-08-18 -> 2025-07-08, CC0-1.0; see data/README.md)"
)
