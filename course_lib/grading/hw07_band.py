"""hw07_stock_gru's reference band (instructors): the reference solution trained per seed.

:func:`measure_band` trains the setting the reference solution picks (``REFERENCE`` of
:mod:`.hw07_stock_gru`) once per seed and prints the lowest and highest test RMSE and MAE, the
``BAND`` that the ``accuracy`` part compares a submission with. Needs TensorFlow.
"""

from __future__ import annotations

from .hw07_eval import WINDOW

__all__ = ["measure_band"]


def _reference_model(setting: dict, seed: int):
    import keras

    keras.utils.set_random_seed(seed)
    layers = [keras.Input((WINDOW, 1))]
    for i in range(setting["layers"]):
        last = i == setting["layers"] - 1
        layers.append(keras.layers.GRU(setting["units"], return_sequences=not last))
        layers.append(keras.layers.Dropout(setting["dropout"]))
    model = keras.Sequential([*layers, keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.Adam(setting["lr"]), loss="mse")
    return model


def measure_band(seeds=range(5), setting: dict | None = None) -> dict:
    """Train the reference solution's chosen setting once per seed; print and return the band.

    Returns ``{"test_rmse": (lowest, highest), "test_mae": (lowest, highest), "runs": [...]}``
    in USD. Takes about 15 s per seed on 2 cores. Paste the result into :data:`BAND`.
    """
    from tqdm.auto import tqdm

    from ..lesson import setup_keras
    from .hw07_eval import predict_usd
    from .hw07_stock_gru import REFERENCE, _grader_data, measure

    setup_keras(seed=0)  # quiet start-up, deterministic ops, as in the notebook
    import keras

    setting = dict(REFERENCE if setting is None else setting)
    data = _grader_data()
    runs = []
    for seed in tqdm(list(seeds), desc="reference seeds"):
        model = _reference_model(setting, seed)
        keras.utils.set_random_seed(seed)  # the notebook seeds the build and the fit
        model.fit(
            data.X_train,
            data.y_train,
            epochs=setting["epochs"],
            batch_size=setting["batch_size"],
            verbose=0,
        )
        val, test = predict_usd(model, data)
        m = measure(val, test, data)
        runs.append({"seed": seed, **{k: m[k] for k in ("val_rmse", "test_rmse", "test_mae")}})
        print(
            f"seed {seed}: val_rmse {m['val_rmse']:.2f}  test_rmse {m['test_rmse']:.2f}  "
            f"test_mae {m['test_mae']:.2f} USD"
        )
    band = {
        k: (round(min(r[k] for r in runs), 2), round(max(r[k] for r in runs), 2))
        for k in ("test_rmse", "test_mae")
    }
    print("BAND =", band)
    return {**band, "runs": runs}
