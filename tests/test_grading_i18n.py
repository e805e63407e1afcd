"""The public checks in Portuguese: after ``course_lib.set_language("pt-BR")`` what a check
prints comes from ``grading.po``; after ``set_language("en")`` it is English again.

The expected texts are read from the catalogue file here, with Babel's ``read_po`` (not through
``course_lib.i18n``), and filled in by hand; the wrong implementations are written out from the
lecture's equations.
"""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import numpy as np
import pytest
from babel.messages.pofile import read_po

import course_lib
from course_lib.grading import hw01_perceptron, hw03_rnn, hw05_lstm, hw06_gru, hw07_stock_gru
from course_lib.grading.common import ADVICE

PO = Path(__file__).resolve().parent.parent / "course_lib/i18n/locale/pt_BR/LC_MESSAGES/grading.po"


def _catalogue() -> dict[str, str]:
    with PO.open("rb") as handle:
        return {m.id: m.string for m in read_po(handle) if isinstance(m.id, str) and m.id}


PT = _catalogue()


def _printed(check, fn) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        check(fn)
    return out.getvalue()


def _sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))


def lstm_step_without_forget_bias(x, h, c, p):
    """The LSTM step of the lecture with b_f left out of the forget gate."""
    f = _sigmoid(x @ p["Wx_f"] + h @ p["Wh_f"])
    i = _sigmoid(x @ p["Wx_i"] + h @ p["Wh_i"] + p["b_i"])
    o = _sigmoid(x @ p["Wx_o"] + h @ p["Wh_o"] + p["b_o"])
    g = np.tanh(x @ p["Wx_g"] + h @ p["Wh_g"] + p["b_g"])
    c_t = f * c + i * g
    return o * np.tanh(c_t), c_t, {"f": f, "i": i, "o": o, "g": g}


def test_a_wrong_lstm_step_is_told_in_portuguese_then_in_english_again(portuguese):
    pt = _printed(hw05_lstm.check_lstm_step, lstm_step_without_forget_bias)
    gate = PT["forget gate f"]
    assert gate == "portão de esquecimento f"  # the glossary's term
    mistake = PT["{name}: the bias b_{k} is missing"].format(name=gate, k="f")
    assert mistake in pt
    assert PT["{title}: something to fix"].format(title="lstm_step") in pt
    assert f"({PT[ADVICE]})" in pt
    assert "forget gate f: the bias b_f is missing" not in pt

    course_lib.set_language("en")
    en = _printed(hw05_lstm.check_lstm_step, lstm_step_without_forget_bias)
    assert "forget gate f: the bias b_f is missing" in en
    assert "lstm_step: something to fix" in en
    assert mistake not in en and gate not in en
    # the same lines, each one in the other language
    pt_lines, en_lines = pt.splitlines(), en.splitlines()
    assert len(pt_lines) == len(en_lines)
    assert all(a != b for a, b in zip(pt_lines, en_lines, strict=True))


def not_written(*args, **kwargs):
    raise NotImplementedError


CHECKS = [
    (hw01_perceptron.check_predict, "predict"),
    (hw01_perceptron.check_perceptron_update, "perceptron_update"),
    (hw01_perceptron.check_train, "train"),
    (hw01_perceptron.check_xor_errors, "xor_errors"),
    (hw03_rnn.check_make_supervised, "make_supervised"),
    (hw03_rnn.check_rnn_step, "rnn_step"),
    (hw03_rnn.check_rnn_loss, "rnn_loss"),
    (hw03_rnn.check_rnn_backward, "rnn_backward"),
    (hw05_lstm.check_lstm_step, "lstm_step"),
    (hw05_lstm.check_init_lstm_params, "init_lstm_params"),
    (hw05_lstm.check_memory_left, "memory_left"),
    (hw05_lstm.check_half_life, "half_life"),
    (hw06_gru.check_gru_step, "gru_step"),
    (hw06_gru.check_to_keras_convention, "to_keras_convention"),
]


@pytest.mark.parametrize(("check", "function"), CHECKS, ids=[f for _c, f in CHECKS])
def test_every_public_check_says_a_function_is_not_written_in_portuguese(
    portuguese, check, function
):
    pt = _printed(check, not_written)
    expected = PT["{function} is not written yet (it raises NotImplementedError)"]
    assert expected.format(function=function) in pt
    assert PT["{title}: something to fix"].format(title=function) in pt
    assert "is not written yet" not in pt and "something to fix" not in pt


def test_a_wrong_gru_step_and_a_wrong_table_in_portuguese(portuguese):
    def gru_step_keras_convention(x, h, p):
        z = _sigmoid(x @ p["Wx_z"] + h @ p["Wh_z"] + p["b_z"])
        r = _sigmoid(x @ p["Wx_r"] + h @ p["Wh_r"] + p["b_r"])
        h_tilde = np.tanh(x @ p["Wx_h"] + (r * h) @ p["Wh_h"] + p["b_h"])
        return z * h + (1 - z) * h_tilde, {"z": z, "r": r, "h_tilde": h_tilde}

    pt = _printed(hw06_gru.check_gru_step, gru_step_keras_convention)
    swapped = (
        "h_t: z and 1 − z are swapped: you wrote Keras' convention z ⊙ h_(t-1) + (1 − z) ⊙ h̃; "
        "the lecture's is h_t = (1 − z) ⊙ h_(t-1) + z ⊙ h̃"
    )
    assert PT[swapped] in pt and swapped not in pt
    assert PT["gate z"] in pt and PT["{message} on both inputs"].format(message=PT["right"]) in pt

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        hw07_stock_gru.check_tuning_table([{"settings": {"units": 32}, "val_rmse": 20.0}])
    text = out.getvalue()
    assert PT["the table has {n} row(s); try at least 3 settings"].format(n=1) in text
    assert PT["table"] in text and "try at least 3 settings" not in text
