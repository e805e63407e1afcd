"""Tests of course_lib.evaluation on series whose answers are known in closed form."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from course_lib.data import log_returns
from course_lib.evaluation import (
    best_lag,
    direction_accuracy,
    evaluate,
    lag_correlations,
    mae,
    mape,
    mean_error,
    moving_average_forecast,
    persistence_forecast,
    prices_from_returns,
    recursive_forecast,
    rmse,
    walk_forward,
)


def ramp(n=50, a=100.0, b=2.5):
    """y_t = a + b t"""
    return a + b * np.arange(n)


# --------------------------------------------------------------------------------------------
# baselines
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("horizon", [1, 3])
def test_persistence_on_a_ramp_misses_by_slope_times_horizon(horizon):
    y = ramp()
    pred = persistence_forecast(y, horizon=horizon)
    assert len(pred) == len(y) - horizon
    # y_t - y_{t-h} = b h for every t
    assert mae(y[horizon:], pred) == pytest.approx(2.5 * horizon)
    assert rmse(y[horizon:], pred) == pytest.approx(2.5 * horizon)


def test_persistence_keeps_the_time_index():
    s = pd.Series([10.0, 11.0, 13.0], index=pd.date_range("2024-01-01", periods=3, tz="UTC"))
    p = persistence_forecast(s)
    assert p.index.equals(s.index[1:]) and p.tolist() == [10.0, 11.0]
    assert mae(s.iloc[1:], p) == pytest.approx(1.5)


def test_moving_average_of_a_constant_is_the_constant():
    y = np.full(20, 7.25)
    pred = moving_average_forecast(y, window=5)
    assert len(pred) == 15
    np.testing.assert_allclose(pred, 7.25)
    assert mae(y[5:], pred) == 0.0


@pytest.mark.parametrize(("window", "horizon"), [(1, 1), (4, 1), (5, 2)])
def test_moving_average_on_a_ramp_lags_by_half_the_window(window, horizon):
    # mean(y_{t-h-k+1..t-h}) = y_{t-h} - b (k-1)/2  ->  error b (h + (k-1)/2)
    y = ramp(b=2.0)
    pred = moving_average_forecast(y, window=window, horizon=horizon)
    first = window + horizon - 1
    assert len(pred) == len(y) - first
    assert mae(y[first:], pred) == pytest.approx(2.0 * (horizon + (window - 1) / 2))


def test_moving_average_window_1_is_persistence():
    y = np.array([3.0, 1.0, 4.0, 1.0, 5.0])
    np.testing.assert_array_equal(moving_average_forecast(y, 1), persistence_forecast(y))


def test_baseline_errors():
    with pytest.raises(ValueError, match="too short"):
        persistence_forecast([1.0])
    with pytest.raises(ValueError, match="too short"):
        moving_average_forecast([1.0, 2.0, 3.0], window=3)
    with pytest.raises(ValueError, match="window"):
        moving_average_forecast([1.0, 2.0, 3.0], window=0)
    with pytest.raises(ValueError, match="position 1"):
        persistence_forecast([1.0, np.nan, 2.0])


# --------------------------------------------------------------------------------------------
# metrics
# --------------------------------------------------------------------------------------------
def test_metrics_known_values():
    t = np.array([100.0, 200.0, 400.0, 50.0])
    p = np.array([110.0, 190.0, 430.0, 20.0])  # errors 10, -10, 30, -30
    assert mae(t, p) == pytest.approx(20.0)
    assert rmse(t, p) == pytest.approx(np.sqrt((100 + 100 + 900 + 900) / 4))
    # percentage errors 10 %, 5 %, 7.5 %, 60 %
    assert mape(t, p) == pytest.approx((10 + 5 + 7.5 + 60) / 4)
    assert rmse(t, p) >= mae(t, p)
    assert mean_error(t, p) == pytest.approx((10 - 10 + 30 - 30) / 4)  # errors cancel: 0
    assert mean_error(t, t - 7.5) == pytest.approx(-7.5)  # forecasts 7.5 too low
    # direction without y_prev: from t[:-1] = 100, 200, 400 the truth moves +100, +200, -350
    # and the forecasts p[1:] move +90, +230, -380: same sign 3 of 3
    assert evaluate(t, p) == {
        "mae": pytest.approx(20.0),
        "rmse": pytest.approx(np.sqrt(500.0)),
        "mape": pytest.approx(20.625),
        "direction": pytest.approx(1.0),
    }
    # with y_prev = 105, 195, 420, 60: truth -5, +5, -20, -10; forecasts +5, -5, +10, -40 -> 1/4
    got = evaluate(t, p, np.array([105.0, 195.0, 420.0, 60.0]))
    assert got == {
        "mae": pytest.approx(20.0),
        "rmse": pytest.approx(np.sqrt(500.0)),
        "mape": pytest.approx(20.625),
        "direction": pytest.approx(0.25),
    }
    assert all(type(v) is float for v in got.values())


def test_metrics_errors():
    with pytest.raises(ValueError, match="length mismatch"):
        mae([1.0, 2.0], [1.0])
    with pytest.raises(ValueError, match=r"y_pred.*position 2"):
        rmse([1.0, 2.0, 3.0], [1.0, 2.0, np.nan])
    with pytest.raises(ValueError, match="y_true"):
        mae([np.inf], [1.0])
    with pytest.raises(ValueError, match="empty"):
        mae([], [])
    with pytest.raises(ValueError, match="undefined"):
        mape([0.0, 1.0], [1.0, 1.0])
    a = pd.Series([1.0, 2.0], index=[0, 1])
    b = pd.Series([1.0, 2.0], index=[1, 2])
    with pytest.raises(ValueError, match="different indexes"):
        mae(a, b)
    assert mae(a, b.to_numpy()) == 0.0


def test_direction_accuracy():
    t = np.array([10.0, 11.0, 10.0, 12.0])
    prev = np.array([9.0, 12.0, 11.0, 12.5])  # truth moved up, down, down, down
    p = np.array([9.5, 13.0, 10.5, 12.0])  # forecast: up, up, down, down -> 3 of 4
    assert direction_accuracy(t, p, prev) == pytest.approx(0.75)
    # without y_prev: the previous true value, first point skipped
    y = np.array([1.0, 2.0, 1.0, 3.0])
    # truth moves up, down, up; forecasts from the previous truth: down, down, up -> 2 of 3
    assert direction_accuracy(y, np.array([0.0, 0.5, 1.5, 2.5])) == pytest.approx(2 / 3)
    # persistence never predicts a move
    assert direction_accuracy(y[1:], persistence_forecast(y), y[:-1]) == 0.0
    with pytest.raises(ValueError, match="length mismatch"):
        direction_accuracy(t, p, prev[:2])


# --------------------------------------------------------------------------------------------
# walk-forward
# --------------------------------------------------------------------------------------------
def test_walk_forward_persistence_on_a_ramp():
    y = ramp(30, b=1.5)
    pred, true = walk_forward(lambda w: w[-1], y, start=10, window=3)
    assert len(pred) == len(true) == 20
    np.testing.assert_array_equal(true, y[10:])
    assert mae(true, pred) == pytest.approx(1.5)
    np.testing.assert_array_equal(pred, persistence_forecast(y)[9:])


def test_walk_forward_never_shows_the_future_and_updates_in_order():
    y = np.arange(12.0)  # the value is its own position
    seen, learned = [], []

    def predict(w):
        seen.append(w.copy())
        return w.mean()

    pred, true = walk_forward(predict, y, start=5, window=4, update=lambda w, t: learned.append(t))
    for k, w in enumerate(seen):
        t = 5 + k
        assert w.tolist() == list(range(t - 4, t))  # exactly the 4 points before t
    assert learned == list(range(5, 12))  # each truth revealed after its forecast
    np.testing.assert_allclose(pred, np.arange(5, 12) - 2.5)


def test_walk_forward_model_that_learns_the_level():
    # the model knows only what update told it: it predicts the last truth revealed, -1 before
    # any. Forecast t=3 comes before any update; forecast t comes after update(y[t-1]).
    state = {"last": -1.0}
    y = ramp(15)
    pred, true = walk_forward(
        lambda w: state["last"],
        y,
        start=3,
        window=1,
        update=lambda w, t: state.update(last=t),
    )
    np.testing.assert_array_equal(pred, [-1.0, *y[3:-1]])
    np.testing.assert_array_equal(true, y[3:])
    assert state["last"] == y[-1]  # the last truth is revealed too, after the last forecast


def test_walk_forward_window_is_a_copy():
    y = np.ones(6)

    def vandal(w):
        w[:] = 99.0
        return 1.0

    walk_forward(vandal, y, start=2, window=2)
    assert (y == 1).all()


def test_walk_forward_pandas_and_2d():
    s = pd.Series(ramp(8), index=pd.date_range("2024-01-01", periods=8, tz="UTC"))
    pred, true = walk_forward(lambda w: w[-1], s, start=4, window=2)
    assert pred.index.equals(s.index[4:]) and true.index.equals(s.index[4:])
    assert mae(true, pred) == pytest.approx(2.5)
    table = np.column_stack([ramp(8), np.full(8, 3.0)])
    p1, t1 = walk_forward(lambda w: w[-1, 0], table, start=2, window=2, target=0)
    np.testing.assert_array_equal(t1, table[2:, 0])
    assert mae(t1, p1) == pytest.approx(2.5)
    p2, t2 = walk_forward(lambda w: w[-1], table, start=2, window=2)
    assert p2.shape == t2.shape == (6, 2)
    # persistence row by row: the forecast of row t is row t - 1, the truth is row t
    np.testing.assert_array_equal(p2, table[1:-1])
    np.testing.assert_array_equal(t2, table[2:])


def test_walk_forward_errors():
    y = ramp(10)
    with pytest.raises(ValueError, match="start"):
        walk_forward(lambda w: 0.0, y, start=2, window=3)
    with pytest.raises(ValueError, match="nothing to forecast"):
        walk_forward(lambda w: 0.0, y, start=10, window=3)
    with pytest.raises(ValueError, match="position 4"):
        walk_forward(lambda w: 0.0, np.where(np.arange(10) == 4, np.nan, y), start=5, window=3)
    with pytest.raises(ValueError, match="returned 2 values"):
        walk_forward(lambda w: [1.0, 2.0], y, start=5, window=3)
    with pytest.raises(TypeError):
        walk_forward("not a model", y, start=5, window=3)
    with pytest.raises(ValueError, match="window"):
        walk_forward(lambda w: 0.0, y, start=5, window=0)


# --------------------------------------------------------------------------------------------
# lag analysis
# --------------------------------------------------------------------------------------------
def test_lag_correlations_of_an_alternating_series():
    # y = +1, -1, +1, ...: y shifted by an even lag is y, by an odd lag it is -y
    y = np.array([(-1.0) ** t for t in range(20)])
    np.testing.assert_allclose(lag_correlations(y, y, max_lag=3), [1.0, -1.0, 1.0, -1.0])
    assert best_lag(y, y, max_lag=3) == (0, pytest.approx(1.0))


def test_a_forecast_that_is_the_truth_two_steps_late_has_best_lag_2():
    y = np.array([3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0, 5.0, 3.0, 5.0, 8.0, 9.0, 7.0, 9.0])
    late = np.concatenate([[0.0, 0.0], 10.0 + 0.5 * y[:-2]])  # affine in y[t-2]
    rho = lag_correlations(y, late, max_lag=4)
    assert rho[2] == pytest.approx(1.0)  # correlation ignores the scale 0.5 and the offset 10
    assert np.all(np.delete(rho, 2) < 0.9)
    k, r = best_lag(y, late, max_lag=4)
    assert (k, r) == (2, pytest.approx(1.0))
    assert isinstance(k, int) and isinstance(r, float)


def test_persistence_is_one_step_late_and_all_lags_use_the_same_times():
    y = np.array([10.0, 12.0, 11.0, 15.0, 14.0, 18.0, 13.0, 17.0, 16.0, 20.0])
    pred = persistence_forecast(y)  # forecasts of y[1:]
    rho = lag_correlations(y[1:], pred, max_lag=2)
    assert rho[1] == pytest.approx(1.0)
    # rho_0 over t = 2 ... 8 of the shortened series, computed by hand with numpy
    assert rho[0] == pytest.approx(np.corrcoef(pred[2:], y[1:][2:])[0, 1])
    assert rho[2] == pytest.approx(np.corrcoef(pred[2:], y[1:][:-2])[0, 1])
    # on price changes the lag stands out the same way
    assert best_lag(log_returns(y[1:]), log_returns(pred), max_lag=3)[0] == 1


def test_lag_correlations_errors():
    y = np.arange(10.0)
    with pytest.raises(ValueError, match="too short"):
        lag_correlations(y, y, max_lag=8)
    with pytest.raises(ValueError, match="max_lag"):
        lag_correlations(y, y, max_lag=-1)
    with pytest.raises(ValueError, match="constant"):
        lag_correlations(y, np.ones(10), max_lag=1)
    with pytest.raises(ValueError, match="length mismatch"):
        lag_correlations(y, y[1:])


# --------------------------------------------------------------------------------------------
# multi-step (recursive) forecasts
# --------------------------------------------------------------------------------------------
def test_recursive_forecast_continues_a_ramp_with_a_linear_extrapolator():
    out = recursive_forecast(lambda w: 2 * w[-1] - w[-2], [1.0, 2.0, 3.0], steps=4)
    np.testing.assert_allclose(out, [4.0, 5.0, 6.0, 7.0])


def test_recursive_forecast_feeds_its_own_forecasts_back():
    # mean of the window (0, 0, 3): 1; then mean(0, 3, 1) = 4/3; then mean(3, 1, 4/3) = 16/9
    seen = []

    def mean_model(w):
        seen.append(w.copy())
        return w.mean()

    out = recursive_forecast(mean_model, np.array([0.0, 0.0, 3.0]), steps=3)
    np.testing.assert_allclose(out, [1.0, 4 / 3, 16 / 9])
    np.testing.assert_allclose(seen[2], [3.0, 1.0, 4 / 3])
    # persistence as a model repeats the last value
    np.testing.assert_array_equal(recursive_forecast(lambda w: w[-1], [5.0, 7.0], 3), [7.0] * 3)


def test_recursive_forecast_in_a_batch_advances_each_row_on_its_own():
    hist = np.array([[1.0, 2.0, 3.0], [10.0, 8.0, 6.0]])
    out = recursive_forecast(lambda w: 2 * w[:, -1] - w[:, -2], hist, steps=2)
    np.testing.assert_allclose(out, [[4.0, 5.0], [4.0, 2.0]])
    assert hist.tolist() == [[1.0, 2.0, 3.0], [10.0, 8.0, 6.0]]  # history untouched


def test_recursive_forecast_errors():
    with pytest.raises(ValueError, match="steps"):
        recursive_forecast(lambda w: w[-1], [1.0], steps=0)
    with pytest.raises(ValueError, match="returned 2 values"):
        recursive_forecast(lambda w: [1.0, 2.0], [1.0, 2.0], steps=1)
    with pytest.raises(ValueError, match="infinite"):
        recursive_forecast(lambda w: np.inf, [1.0, 2.0], steps=2)
    with pytest.raises(ValueError, match="history"):
        recursive_forecast(lambda w: 0.0, [1.0, np.nan], steps=1)
    with pytest.raises(TypeError):
        recursive_forecast("model", [1.0], steps=1)


# --------------------------------------------------------------------------------------------
# returns back to prices
# --------------------------------------------------------------------------------------------
def test_prices_from_returns_closed_form():
    np.testing.assert_allclose(
        prices_from_returns(100.0, [np.log(2.0), np.log(0.5), np.log(3.0)], cumulative=True),
        [200.0, 100.0, 300.0],
    )
    np.testing.assert_allclose(
        prices_from_returns([100.0, 50.0], [np.log(1.1), np.log(0.9)]), [110.0, 45.0]
    )
    # one path per row, each from its own base
    paths = prices_from_returns(
        np.array([10.0, 20.0]), np.log([[2.0, 2.0], [0.5, 1.0]]), cumulative=True
    )
    np.testing.assert_allclose(paths, [[20.0, 40.0], [10.0, 10.0]])


def test_prices_from_returns_inverts_log_returns():
    p = pd.Series(
        [100.0, 110.0, 99.0, 120.0, 60.0], index=pd.date_range("2024-01-01", periods=5, tz="UTC")
    )
    r = log_returns(p)
    one_step = prices_from_returns(p.shift(1).iloc[1:], r)  # from each previous true price
    assert one_step.index.equals(p.index[1:])
    np.testing.assert_allclose(one_step.to_numpy(), p.iloc[1:].to_numpy())
    np.testing.assert_allclose(prices_from_returns(p.iloc[0], r, cumulative=True), p.iloc[1:])
    # a zero return forecast is persistence
    np.testing.assert_array_equal(
        prices_from_returns(p.iloc[:-1].to_numpy(), np.zeros(4)), persistence_forecast(p.to_numpy())
    )


def test_prices_from_returns_errors():
    with pytest.raises(ValueError, match="one base price per return"):
        prices_from_returns([1.0, 2.0], [0.1, 0.2, 0.3])
    with pytest.raises(ValueError, match="> 0"):
        prices_from_returns(0.0, [0.1])
    with pytest.raises(ValueError, match="infinite"):
        prices_from_returns(1.0, [np.nan])
    with pytest.raises(ValueError, match="cumulative"):
        prices_from_returns([1.0, 2.0, 3.0], [0.1, 0.2, 0.3], cumulative=True)
