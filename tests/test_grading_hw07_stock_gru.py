"""hw07_stock_gru's grader, on real saved Keras models and real GOOG data.

The parts are scored through a GradingContext whose ``run_sandboxed`` is a plain subprocess in
a fresh temporary folder (the autograder's sandbox adds the unprivileged user and the network
cut; what the part does with the answer is the same). Every model here is built and saved by the
test itself, so the config walk runs on real ``.keras`` files.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
keras = pytest.importorskip("keras")

from course_lib.evaluation import mae, rmse  # noqa: E402
from course_lib.grading import hw07_stock_gru as hw  # noqa: E402
from course_lib.grading.common import GradingContext  # noqa: E402
from course_lib.grading.hw07_eval import MARKER  # noqa: E402
from course_lib.stocks import load_goog, stock_windows  # noqa: E402

pytestmark = pytest.mark.slow
ARCH, ACC, CLAIMS = hw.ASSIGNMENT.parts


def run_sandboxed(argv, files=None, timeout=120):
    """Plain stand-in for the autograder's sandbox: a fresh folder holding copies of ``files``."""
    work = Path(tempfile.mkdtemp(prefix="hw07-sandbox-"))
    try:
        for name, path in (files or {}).items():
            shutil.copyfile(path, work / Path(name).name)
        argv = [sys.executable if argv[0] == "python" else argv[0], *argv[1:]]
        env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
        proc = subprocess.run(
            argv, cwd=work, capture_output=True, text=True, timeout=timeout, env=env
        )
        return proc.returncode, proc.stdout, proc.stderr
    finally:
        shutil.rmtree(work, ignore_errors=True)


def context(folder: Path, runner=run_sandboxed) -> GradingContext:
    return GradingContext(
        submission_dir=folder,
        workdir=None,
        run_sandboxed=runner,
        rng=np.random.default_rng(0),
    )


@pytest.fixture(scope="module")
def data():
    return stock_windows(load_goog(), window=60, column="open")


@pytest.fixture(scope="module")
def folder():
    d = Path(tempfile.mkdtemp(prefix="hw07-test-"))
    yield d
    shutil.rmtree(d, ignore_errors=True)


def seq(*layers, name=None):
    return keras.Sequential([keras.Input((60, 1)), *layers, keras.layers.Dense(1)], name=name)


def save(model, folder: Path, name: str) -> Path:
    sub = folder / name
    sub.mkdir(exist_ok=True)
    model.compile(optimizer="adam", loss="mse")
    model.save(sub / "model.keras")
    return sub


def score(part, sub: Path):
    return part.score([], [], context(sub))


# ------------------------------------------------------------------------------------------
# architecture: real saved models
# ------------------------------------------------------------------------------------------
@keras.saving.register_keras_serializable(package="student")
class Doubler(keras.layers.Layer):
    def call(self, x):
        return 2 * x


@pytest.fixture(scope="module")
def gru_sub(folder):
    L = keras.layers
    m = seq(L.GRU(3, return_sequences=True), L.Dropout(0.2), L.GRU(3), L.Dropout(0.2))
    return save(m, folder, "gru")


@pytest.fixture(scope="module")
def lambda_sub(folder):
    L = keras.layers
    return save(seq(L.GRU(2), L.Lambda(lambda t: t * 1.0, name="sneaky")), folder, "lambda")


def test_gru_stack_passes(gru_sub):
    v = score(ARCH, gru_sub)
    assert v.fraction == 1.0 and "all 2 recurrent layers are GRU" in v.message


def test_rnn_wrapper_with_gru_cells_and_bidirectional_gru_pass(folder):
    L = keras.layers
    inp = keras.Input((60, 1))
    x = L.Bidirectional(L.GRU(2, return_sequences=True, name="g"), name="bi")(inp)
    x = L.RNN(L.GRUCell(2, name="cellg"), name="wrap")(x)
    v = score(ARCH, save(keras.Model(inp, L.Dense(1)(x), name="outer"), folder, "gru_cells"))
    assert v.fraction == 1.0, v.message
    assert "all 3 recurrent layers are GRU" in v.message
    for where in ("outer > bi > forward_g", "outer > bi > backward_g", "outer > wrap > cellg"):
        assert f"'{where}'" in v.message


def test_pure_lstm_fails_naming_each_layer(folder):
    L = keras.layers
    m = seq(L.LSTM(3, return_sequences=True, name="first"), L.LSTM(3, name="second"))
    v = score(ARCH, save(m, folder, "lstm"))
    assert v.fraction == 0.0
    assert "0 of 2 recurrent layers are GRU" in v.message
    assert "> first' (LSTM)" in v.message and "> second' (LSTM)" in v.message


def test_mixed_stack_gets_partial_credit_and_names_the_lstm(folder):
    L = keras.layers
    m = seq(
        L.GRU(3, return_sequences=True, name="g1"),
        L.LSTM(3, return_sequences=True, name="still_lstm"),
        L.GRU(3, return_sequences=True, name="g2"),
        L.GRU(3, name="g3"),
    )
    v = score(ARCH, save(m, folder, "mixed"))
    assert v.fraction == pytest.approx(0.5 * 3 / 4)
    assert "3 of 4 recurrent layers are GRU" in v.message and "> still_lstm' (LSTM)" in v.message
    assert "g1'" not in v.message.split("still LSTM")[1]


def test_bidirectional_lstm_is_found(folder):
    L = keras.layers
    m = seq(L.Bidirectional(L.LSTM(2, return_sequences=True, name="rec"), name="bi"), L.GRU(2))
    v = score(ARCH, save(m, folder, "bidi"))
    assert v.fraction == pytest.approx(0.5 * 1 / 3)
    assert "> bi > forward_rec' (LSTM)" in v.message
    assert "> bi > backward_rec' (LSTM)" in v.message


def test_lstm_hidden_in_a_nested_model_and_in_rnn_cells_is_found(folder):
    L = keras.layers
    lstm = L.LSTM(2, return_sequences=True, name="inner_lstm")
    inner = keras.Sequential([keras.Input((60, 1)), lstm], name="inner")
    inp = keras.Input((60, 1))
    x = inner(inp)
    x = L.RNN([L.GRUCell(2), L.LSTMCell(2, name="cell_lstm")], name="stacked")(x)
    v = score(ARCH, save(keras.Model(inp, L.Dense(1)(x), name="outer"), folder, "nested"))
    assert v.fraction == pytest.approx(0.5 * 1 / 3)
    assert "'outer > inner > inner_lstm' (LSTM)" in v.message
    assert re.search(
        r"'outer > stacked > stacked_rnn_cells\w* > cell_lstm' \(LSTMCell\)", v.message
    )


def test_simple_rnn_is_not_a_gru(folder):
    m = seq(keras.layers.SimpleRNN(2, name="plain"))
    v = score(ARCH, save(m, folder, "simple"))
    assert v.fraction == 0.0 and "not a GRU: " in v.message and "> plain' (SimpleRNN)" in v.message


def test_no_recurrent_layer(folder):
    m = seq(keras.layers.Flatten())
    v = score(ARCH, save(m, folder, "dense"))
    assert v.fraction == 0.0 and "no recurrent layer" in v.message


def test_lambda_scores_zero_naming_it(lambda_sub):
    v = score(ARCH, lambda_sub)
    assert v.fraction == 0.0 and "Lambda layers are not allowed" in v.message
    assert "'sequential" in v.message and "sneaky' (Lambda)" in v.message


def test_custom_layer_scores_zero_naming_it(folder):
    m = seq(keras.layers.GRU(2), Doubler(name="doubler"))
    v = score(ARCH, save(m, folder, "custom"))
    assert v.fraction == 0.0
    assert "no custom layers" in v.message and "doubler' (Doubler (module 'tests." in v.message
    assert "'student>Doubler'" in v.message


def test_public_check_uses_the_same_diagnosis(capsys):
    L = keras.layers
    assert not hw.check_model_is_gru(seq(L.LSTM(2, name="left_over")))
    out = capsys.readouterr().out
    assert "> left_over' (LSTM)" in out and "advice" in out
    assert hw.check_model_is_gru(seq(L.GRU(2)))


# ------------------------------------------------------------------------------------------
# hostile or broken files: 0 with a message, never an exception
# ------------------------------------------------------------------------------------------
def _zip(path: Path, members: dict[str, bytes], method=zipfile.ZIP_DEFLATED):
    with zipfile.ZipFile(path, "w", compression=method) as zf:
        for name, payload in members.items():
            zf.writestr(name, payload)


def _hostile(folder: Path, name: str, make) -> Path:
    sub = folder / f"hostile_{name}"
    sub.mkdir(exist_ok=True)
    make(sub / "model.keras")
    (sub / "report.json").write_text("{}")
    return sub


HOSTILE = {
    "zip_bomb": (
        lambda p: _zip(p, {"config.json": b"{" + b" " * (60 * 2**20) + b"}"}),
        "zip bomb",
    ),
    "oversized_config": (
        lambda p: _zip(
            p,
            {"config.json": json.dumps({"pad": os.urandom(700_000).hex()}).encode()},
            zipfile.ZIP_STORED,
        ),
        "config.json is 1,400,",
    ),
    "not_a_zip": (lambda p: p.write_text("I am a model, trust me"), "not a zip archive"),
    "too_many_members": (
        lambda p: _zip(p, {f"f{i}.txt": b"x" for i in range(40)}),
        "has 40 members",
    ),
    "path_traversal": (
        lambda p: _zip(p, {"../../evil.py": b"x", "config.json": b"{}"}),
        "unsafe member names",
    ),
    "no_config": (lambda p: _zip(p, {"metadata.json": b"{}"}), "has no config.json"),
    "bad_json": (lambda p: _zip(p, {"config.json": b"{not json"}), "not valid JSON"),
    "deep_json": (lambda p: _zip(p, {"config.json": b"[" * 200_000}), "not valid JSON"),
    "json_list": (lambda p: _zip(p, {"config.json": b"[1, 2]"}), "not a JSON object"),
}


def _never_run(*args, **kwargs):
    raise AssertionError("the sandbox must not be reached for a rejected archive")


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_archives_score_zero_on_every_part(folder, name):
    make, message = HOSTILE[name]
    sub = _hostile(folder, name, make)
    for part in (ARCH, ACC, CLAIMS):
        v = part.score([], [], context(sub, runner=_never_run))
        assert v.fraction == 0.0
        assert message in v.message, (part.name, v.message)


def test_missing_files_and_symlinks(gru_sub, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    for part in (ARCH, ACC, CLAIMS):
        v = part.score([], [], context(empty, runner=_never_run))
        assert v.fraction == 0.0 and "model.keras is missing" in v.message
    link = tmp_path / "link"
    link.mkdir()
    (link / "model.keras").symlink_to(gru_sub / "model.keras")
    v = ARCH.score([], [], context(link, runner=_never_run))
    assert v.fraction == 0.0 and "symbolic link" in v.message


def test_a_crashing_or_silent_sandbox_scores_zero(gru_sub):
    sub = gru_sub

    def boom(*a, **k):
        raise subprocess.TimeoutExpired("python", 1)

    def silent(*a, **k):
        return 0, "nothing to see\n", ""

    def liar(*a, **k):
        return 0, MARKER + json.dumps({"ok": True, "val_usd": [1.0], "test_usd": [1.0]}), ""

    for runner, message in (
        (boom, "TimeoutExpired"),
        (silent, "printed no result"),
        (liar, "not a list of 322 finite numbers"),
    ):
        hw._EVAL_CACHE.clear()
        v = ACC.score([], [], context(sub, runner=runner))
        assert v.fraction == 0.0 and message in v.message, v.message
    hw._EVAL_CACHE.clear()


# ------------------------------------------------------------------------------------------
# the sandboxed evaluation, accuracy and claims
# ------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def tiny(folder, data):
    """A tiny GRU trained for one epoch on real windows, its folder and its own predictions."""
    keras.utils.set_random_seed(0)
    m = seq(keras.layers.GRU(4))
    m.compile(optimizer=keras.optimizers.Adam(1e-2), loss="mse")
    m.fit(data.X_train, data.y_train, epochs=1, batch_size=128, verbose=0)
    sub = folder / "tiny"
    sub.mkdir(exist_ok=True)
    m.save(sub / "model.keras")
    val = data.to_usd(m.predict(data.X_val, verbose=0))
    test = data.to_usd(m.predict(data.X_test, verbose=0))
    return m, sub, val, test


def honest_report(data, val, test):
    table = [
        {"settings": {"units": u}, "val_rmse": v}
        for u, v in ((8, 99.0), (4, rmse(data.val_usd, val)), (2, 120.0))
    ]
    return {
        "assignment": "hw07_stock_gru",
        "column": "open",
        "window": 60,
        "val_rmse_table": table,
        "chosen": 1,
        "val_rmse": rmse(data.val_usd, val),
        "test_rmse": rmse(data.test_usd, test),
        "test_mae": mae(data.test_usd, test),
        "persistence_rmse": rmse(data.test_usd, data.test_persistence_usd),
        "persistence_mae": mae(data.test_usd, data.test_persistence_usd),
        "n_test": len(data.test_usd),
    }


def test_eval_script_matches_a_direct_predict(tiny, data):
    _, sub, val, test = tiny
    rc, out, err = run_sandboxed(
        ["python", "-m", "course_lib.grading.hw07_eval", "model.keras"],
        files={"model.keras": sub / "model.keras"},
    )
    assert rc == 0, err
    line = [ln for ln in out.splitlines() if ln.startswith(MARKER)][-1]
    got = json.loads(line[len(MARKER) :])
    assert got["ok"] and got["window"] == 60
    np.testing.assert_allclose(got["val_usd"], val, rtol=1e-5)
    np.testing.assert_allclose(got["test_usd"], test, rtol=1e-5)


def test_eval_script_refuses_lambda_code(lambda_sub):
    sub = lambda_sub
    rc, out, _ = run_sandboxed(
        ["python", "-m", "course_lib.grading.hw07_eval", "model.keras"],
        files={"model.keras": sub / "model.keras"},
    )
    got = json.loads(out.strip().splitlines()[-1][len(MARKER) :])
    assert rc == 1 and not got["ok"] and "safe_mode" in got["error"]
    hw._EVAL_CACHE.clear()
    v = ACC.score([], [], context(sub))
    assert v.fraction == 0.0 and "could not be evaluated" in v.message


def test_honest_claims_match_and_false_claims_are_listed(tiny, data):
    _, sub, val, test = tiny
    report = honest_report(data, val, test)
    (sub / "report.json").write_text(json.dumps(report))
    v = CLAIMS.score([], [], context(sub))
    assert v.fraction == 1.0, v.message

    false = {
        **report,
        "test_rmse": report["test_rmse"] * 0.8,
        "persistence_mae": 1.0,
        "n_test": 300,
    }
    (sub / "report.json").write_text(json.dumps(false))
    v = CLAIMS.score([], [], context(sub))
    assert v.fraction == pytest.approx(5 / 8)
    assert "3 claimed number(s) differ" in v.message
    assert f"test_rmse: you claim {false['test_rmse']:.4g}" in v.message
    assert "persistence_mae: you claim 1," in v.message and "n_test: you claim 300" in v.message
    assert "test_mae" not in v.message and "val_rmse:" not in v.message

    # rounding to cents is fine
    rounded = {k: round(x, 2) if isinstance(x, float) else x for k, x in report.items()}
    (sub / "report.json").write_text(json.dumps(rounded))
    assert CLAIMS.score([], [], context(sub)).fraction == 1.0


def test_report_structure_problems(tiny, data):
    _, sub, val, test = tiny
    report = honest_report(data, val, test)
    bad = {**report, "chosen": 0, "val_rmse_table": report["val_rmse_table"][:2]}
    del bad["persistence_rmse"]
    (sub / "report.json").write_text(json.dumps(bad))
    v = CLAIMS.score([], [], context(sub))
    assert v.fraction < 1
    assert "missing key 'persistence_rmse'" in v.message
    assert "the table has 2 row(s)" in v.message
    assert "is not the val_rmse of the chosen row 0" in v.message
    huge = json.dumps({**report, "test_rmse": 10**400, "test_mae": float("nan")})
    (sub / "report.json").write_text(huge)
    v = CLAIMS.score([], [], context(sub))
    assert "test_rmse must be a finite number" in v.message and "test_mae: no number" in v.message
    for text, message in (
        ("{oops", "report.json is not valid JSON"),
        ("[1, 2]", "report.json must hold a JSON object"),
        (" " * (hw.MAX_REPORT_BYTES + 1), "larger than"),
    ):
        (sub / "report.json").write_text(text)
        v = CLAIMS.score([], [], context(sub))
        assert v.fraction == 0.0 and message in v.message, v.message
    (sub / "report.json").unlink()
    v = CLAIMS.score([], [], context(sub))
    assert v.fraction == 0.0 and "report.json is missing" in v.message


def test_public_report_check_agrees(tiny, data, capsys):
    m, _, val, test = tiny
    report = honest_report(data, val, test)
    assert hw.check_report(report, m, data)
    assert not hw.check_report({**report, "test_mae": 1.0}, m, data)
    assert "test_mae: you claim 1," in capsys.readouterr().out


def test_tuning_table_check(capsys):
    assert not hw.check_tuning_table([{"settings": {"u": 1}, "val_rmse": 3.0}] * 3)
    out = capsys.readouterr().out
    assert "the table has" not in out and "row 1: the same settings as row 0" in out
    assert not hw.check_tuning_table([{"settings": {}, "val_rmse": -1}])
    out = capsys.readouterr().out
    assert "1 row(s)" in out and "non-empty dict" in out and "positive number" in out


def test_accuracy_scoring_by_hand():
    _, hi_r = hw.BAND["test_rmse"]
    _, hi_m = hw.BAND["test_mae"]
    full_r, full_m = hi_r * (1 + hw.BAND_MARGIN), hi_m * (1 + hw.BAND_MARGIN)
    base = {"persistence_rmse": 9.0, "persistence_mae": 7.0}
    assert hw.score_accuracy({**base, "test_rmse": full_r, "test_mae": full_m}).fraction == 1
    v = hw.score_accuracy({**base, "test_rmse": 1.5 * full_r, "test_mae": 3 * full_m})
    assert v.fraction == pytest.approx((0.5 + 0.0) / 2)
    assert "above the reference band" in v.message


def test_tiny_model_is_scored_against_persistence_and_the_band(tiny):
    _, sub, _, test = tiny
    v = ACC.score([], [], context(sub))
    assert 0 <= v.fraction <= 1 and "x persistence's 9.16" in v.message


def test_the_reference_setting_gets_full_marks(folder, data):
    """The reference solution's chosen setting, seed 0 (the notebook's run), trained here."""
    setting = hw.REFERENCE
    m = hw._reference_model(setting, seed=0)
    keras.utils.set_random_seed(0)
    m.fit(
        data.X_train,
        data.y_train,
        epochs=setting["epochs"],
        batch_size=setting["batch_size"],
        verbose=0,
    )
    sub = save_trained(m, folder, "reference")
    val = data.to_usd(m.predict(data.X_val, verbose=0))
    test = data.to_usd(m.predict(data.X_test, verbose=0))
    (sub / "report.json").write_text(json.dumps(honest_report(data, val, test)))
    verdicts = [p.score([], [], context(sub)) for p in (ARCH, ACC, CLAIMS)]
    assert [v.fraction for v in verdicts] == [1.0, 1.0, 1.0], [v.message for v in verdicts]
    lo, hi = hw.BAND["test_rmse"]
    assert 0 < lo <= hi and rmse(data.test_usd, test) <= hi * (1 + hw.BAND_MARGIN)


def save_trained(model, folder: Path, name: str) -> Path:
    sub = folder / name
    sub.mkdir(exist_ok=True)
    model.save(sub / "model.keras")
    return sub


def test_solution_files_if_present_get_full_marks():
    """solutions/model.keras and report.json, written by the executed solution notebook."""
    sub = Path(__file__).resolve().parent.parent / "solutions"
    if not (sub / "model.keras").is_file() or not (sub / "report.json").is_file():
        pytest.skip("solutions/model.keras is written by executing solutions/hw07_stock_gru.ipynb")
    verdicts = [p.score([], [], context(sub)) for p in (ARCH, ACC, CLAIMS)]
    assert [v.fraction for v in verdicts] == [1.0, 1.0, 1.0], [v.message for v in verdicts]


def test_predict_usd_checks_the_input_and_output_shapes(data):
    from course_lib.grading.hw07_eval import predict_usd

    L = keras.layers
    short = keras.Sequential([keras.Input((30, 1)), L.GRU(2), L.Dense(1)])
    wrong = r"input shape is \(None, 30, 1\), expected \(None, 60, 1\)"
    with pytest.raises(ValueError, match=wrong):
        predict_usd(short, data)
    two = keras.Sequential([keras.Input((60, 1)), L.GRU(2), L.Dense(2)])
    with pytest.raises(ValueError, match=r"shape \(322, 2\) for 322 windows"):
        predict_usd(two, data)
    free = keras.Sequential([keras.Input((None, 1)), L.GRU(2), L.Dense(1)])
    val, test = predict_usd(free, data)  # a free time axis is fine
    assert len(val) == 322 and len(test) == 323
