"""course_lib.tasks: the synthetic long-lag tasks have the structure and answers they claim."""

from __future__ import annotations

import numpy as np
import pytest

from course_lib import tasks


@pytest.mark.parametrize("lag", [1, 2, 10, 50])
def test_adding_problem_structure_and_answer(lag):
    X, y = tasks.adding_problem(200, lag, seed=3)
    assert X.shape == (200, lag + 1, 2) and y.shape == (200, 1)
    assert X.dtype == np.float32 and y.dtype == np.float32
    markers = X[:, :, 1]
    assert np.all(markers.sum(axis=1) == 2.0)
    assert np.all(markers[:, 0] == 1.0) and np.all(markers[:, lag] == 1.0)
    values = X[:, :, 0]
    assert values.min() >= 0.0 and values.max() < 1.0
    # the answer, read off the markers rather than the positions
    expect = (values * markers).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(y, expect, rtol=1e-6)


def test_adding_problem_is_reproducible_and_seeded():
    a = tasks.adding_problem(50, 7, seed=1)
    b = tasks.adding_problem(50, 7, seed=1)
    c = tasks.adding_problem(50, 7, seed=2)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.array_equal(a[0], c[0])


def test_adding_problem_chance_level_is_the_mse_of_answering_one():
    _, y = tasks.adding_problem(200_000, 3, seed=0)
    mse = float(np.mean((y - 1.0) ** 2))
    assert mse == pytest.approx(tasks.chance_level("adding_problem"), rel=0.02)
    assert tasks.chance_level("adding_problem") == pytest.approx(1 / 6)


@pytest.mark.parametrize("lag,n_symbols", [(1, 2), (5, 4), (30, 6)])
def test_delayed_recall_structure_and_answer(lag, n_symbols):
    X, y = tasks.delayed_recall(300, lag, n_symbols=n_symbols, seed=4)
    assert X.shape == (300, lag + 1, n_symbols + 2) and y.shape == (300,)
    assert X.dtype == np.float32 and y.dtype == np.int64
    first = X[:, 0, :]
    assert np.all(first.sum(axis=1) == 1.0)
    np.testing.assert_array_equal(first[:, :n_symbols].argmax(axis=1), y)
    # the cue is at the last step only, and nothing but noise lies between
    np.testing.assert_array_equal(X[:, :, -1].sum(axis=1), np.ones(300))
    assert np.all(X[:, lag, -1] == 1.0)
    middle = X[:, 1:lag, :]
    assert np.all(middle[:, :, :n_symbols] == 0.0) and np.all(middle[:, :, -1] == 0.0)
    if lag > 1:
        noise = middle[:, :, n_symbols]
        assert noise.min() >= 0.0 and noise.max() < 1.0 and noise.std() > 0.2
    assert set(np.unique(y)) == set(range(n_symbols))


def test_delayed_recall_chance_level_and_seed():
    _, y = tasks.delayed_recall(40_000, 3, n_symbols=4, seed=0)
    majority = np.bincount(y).max() / len(y)  # best input-blind guess
    assert majority == pytest.approx(tasks.chance_level("delayed_recall", 4), abs=0.01)
    a = tasks.delayed_recall(20, 5, seed=9)
    b = tasks.delayed_recall(20, 5, seed=9)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])


def test_delayed_recall_noise_range():
    default = tasks.delayed_recall(100, 12, seed=7)
    same = tasks.delayed_recall(100, 12, seed=7, noise=(0.0, 1.0))
    np.testing.assert_array_equal(default[0], same[0])
    X, y = tasks.delayed_recall(2000, 12, seed=7, noise=(-4.0, 4.0))
    noise = X[:, 1:12, 4]
    assert noise.min() >= -4.0 and noise.max() < 4.0
    assert noise.min() < -3.9 and noise.max() > 3.9
    assert abs(float(noise.mean())) < 0.05 and noise.std() == pytest.approx(8 / 12**0.5, rel=0.02)
    # only the noise channel changes: symbol, cue and answer are those of the default task
    _, y_default = tasks.delayed_recall(2000, 12, seed=7)
    np.testing.assert_array_equal(y, y_default)
    X_default, _ = tasks.delayed_recall(2000, 12, seed=7)
    np.testing.assert_array_equal(np.delete(X, 4, axis=2), np.delete(X_default, 4, axis=2))
    with pytest.raises(ValueError, match="low < high"):
        tasks.delayed_recall(10, 5, noise=(1.0, 1.0))


def test_bad_arguments():
    with pytest.raises(ValueError, match="lag must be an int >= 1"):
        tasks.adding_problem(10, 0)
    with pytest.raises(ValueError, match="n must be an int >= 1"):
        tasks.adding_problem(0, 5)
    with pytest.raises(ValueError, match="n_symbols must be an int >= 2"):
        tasks.delayed_recall(10, 5, n_symbols=1)
    with pytest.raises(ValueError, match="unknown task"):
        tasks.chance_level("copy")
