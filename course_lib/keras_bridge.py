"""Copy weights between Keras recurrent layers and the numpy cells of ``course_lib.cells``.

Keras packs the gates of a layer side by side in three arrays:

=============  ======================  ===========================  ==============================
layer          ``kernel`` (n_in, k·n)  ``recurrent_kernel`` (n, k·n)  ``bias``
=============  ======================  ===========================  ==============================
SimpleRNN      Wx                      Wh                           (n,)
LSTM           i | f | c(=g) | o       same order                   (4n,)
GRU            z | r | h               same order                   (3n,), or (2, 3n) with
                                                                    ``reset_after=True``: row 0 the
                                                                    input biases b_*, row 1 the
                                                                    recurrent biases bh_*
=============  ======================  ===========================  ==============================

``params_from_keras`` unpacks them into the course's names (``Wx_f``, ``Wh_f``, ``b_f``, …) and
``params_to_keras`` packs them back. TensorFlow/Keras is imported only when a function here runs.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from . import cells

__all__ = ["layer_kind", "params_from_keras", "params_to_keras", "step_for", "gate_activations"]

_LSTM_ORDER = ("i", "f", "g", "o")  # Keras calls the candidate "c"
_GRU_ORDER = ("z", "r", "h")


def layer_kind(layer) -> str:
    """``"rnn"``, ``"lstm"``, ``"gru"`` (reset_after=True) or ``"gru_classic"``: a layer's kind."""
    name = type(layer).__name__
    if name == "SimpleRNN":
        kind = "rnn"
    elif name == "LSTM":
        kind = "lstm"
    elif name == "GRU":
        kind = "gru" if layer.reset_after else "gru_classic"
    else:
        raise ValueError(
            f"keras_bridge handles keras.layers.SimpleRNN, LSTM and GRU; got {name} "
            f"({getattr(layer, 'name', '?')})"
        )
    act = getattr(layer.activation, "__name__", str(layer.activation))
    if act != "tanh":
        raise ValueError(f"{layer.name}: the numpy cells use activation='tanh', layer has {act!r}")
    if kind != "rnn":
        rec = getattr(layer.recurrent_activation, "__name__", str(layer.recurrent_activation))
        if rec != "sigmoid":
            raise ValueError(
                f"{layer.name}: the numpy cells use recurrent_activation='sigmoid', "
                f"layer has {rec!r}"
            )
    return kind


def _weights(layer):
    if not layer.built:
        raise ValueError(
            f"{layer.name} has no weights yet: call it on an input first, e.g. "
            "layer(np.zeros((1, 1, n_in)))"
        )
    cell = layer.cell
    kernel = np.asarray(cell.kernel.numpy(), dtype=float)
    recurrent = np.asarray(cell.recurrent_kernel.numpy(), dtype=float)
    if cell.use_bias:
        bias = np.asarray(cell.bias.numpy(), dtype=float)
    else:
        bias = None
    return kernel, recurrent, bias


def params_from_keras(layer) -> dict[str, np.ndarray]:
    """Read a built Keras ``SimpleRNN``, ``LSTM`` or ``GRU`` layer into a ``params`` dict.

    The result runs in the matching numpy step (see ``step_for``) and gives the layer's output
    to float precision. A layer built with ``use_bias=False`` gives zero biases.
    """
    kind = layer_kind(layer)
    kernel, recurrent, bias = _weights(layer)
    n = recurrent.shape[0]
    if kind == "rnn":
        b = np.zeros(n) if bias is None else bias
        return {"Wx": kernel, "Wh": recurrent, "b": b}
    order = _LSTM_ORDER if kind == "lstm" else _GRU_ORDER
    params = {}
    for j, k in enumerate(order):
        cols = slice(j * n, (j + 1) * n)
        params[f"Wx_{k}"] = kernel[:, cols].copy()
        params[f"Wh_{k}"] = recurrent[:, cols].copy()
        if bias is None:
            params[f"b_{k}"] = np.zeros(n)
            if kind == "gru":
                params[f"bh_{k}"] = np.zeros(n)
        elif kind == "gru":
            params[f"b_{k}"] = bias[0, cols].copy()
            params[f"bh_{k}"] = bias[1, cols].copy()
        else:
            params[f"b_{k}"] = bias[cols].copy()
    return params


def params_to_keras(params: Mapping[str, np.ndarray], layer) -> None:
    """Write a ``params`` dict into a Keras ``SimpleRNN``, ``LSTM`` or ``GRU`` layer.

    An unbuilt layer is built for the input size that ``params`` implies. Shapes are checked
    against the layer, and a missing key raises ``ValueError`` naming it.
    """
    kind = layer_kind(layer)
    first = "Wx" if kind == "rnn" else ("Wx_f" if kind == "lstm" else "Wx_z")
    if first not in params:
        raise ValueError(f"params is missing key {first!r} (expected shape (n_in, n_h))")
    n_in, n = np.shape(params[first])
    if n != layer.units:
        raise ValueError(f"params have {n} units; {layer.name} has units={layer.units}")
    if not layer.built:
        layer.build((None, None, n_in))
    kernel, recurrent, bias = _weights(layer)
    if kernel.shape[0] != n_in:
        raise ValueError(f"params have n_in={n_in}; {layer.name} was built for {kernel.shape[0]}")
    if kind == "rnn":
        cells.check_params(params, {"Wx": (n_in, n), "Wh": (n, n), "b": (n,)}, "params_to_keras")
        new_k, new_r, new_b = params["Wx"], params["Wh"], params["b"]
    else:
        order = _LSTM_ORDER if kind == "lstm" else _GRU_ORDER
        extra = ("bh_z", "bh_r", "bh_h") if kind == "gru" else ()
        shapes = cells.gate_shapes("".join(order), n_in, n, extra=extra)
        cells.check_params(params, shapes, "params_to_keras")
        new_k = np.concatenate([params[f"Wx_{k}"] for k in order], axis=1)
        new_r = np.concatenate([params[f"Wh_{k}"] for k in order], axis=1)
        new_b = np.concatenate([params[f"b_{k}"] for k in order])
        if kind == "gru":
            new_b = np.stack([new_b, np.concatenate([params[f"bh_{k}"] for k in order])])
    cell = layer.cell
    cell.kernel.assign(np.asarray(new_k, dtype=cell.kernel.dtype))
    cell.recurrent_kernel.assign(np.asarray(new_r, dtype=cell.recurrent_kernel.dtype))
    if bias is not None:
        cell.bias.assign(np.asarray(new_b, dtype=cell.bias.dtype))
    elif np.any(np.asarray(new_b) != 0):
        raise ValueError(f"{layer.name} has use_bias=False but params have non-zero biases")


def step_for(layer):
    """The numpy step function and its keywords that compute what ``layer`` computes."""
    kind = layer_kind(layer)
    if kind == "rnn":
        return cells.rnn_step, {}
    if kind == "lstm":
        return cells.lstm_step, {}
    return cells.gru_step, {"reset_after": kind == "gru"}


def _layer_inputs(model, layer, X):
    """The values that reach ``layer`` when ``model`` is fed ``X``."""
    if model is None or model is layer:
        return np.asarray(X, dtype=float)
    import keras

    layers = [lay for lay in model.layers if not isinstance(lay, keras.layers.InputLayer)]
    if layers and layers[0] is layer:
        return np.asarray(X, dtype=float)
    probe = keras.Model(inputs=model.inputs, outputs=layer.input)
    return np.asarray(probe.predict(X, verbose=0), dtype=float)


def gate_activations(model_or_layer, X, layer=None) -> dict[str, np.ndarray]:
    """Gate values of a (trained) Keras LSTM/GRU over the sequences ``X``.

    ``model_or_layer`` is a recurrent layer, or a model holding one (the first SimpleRNN, LSTM
    or GRU is used unless ``layer`` names one). ``X`` is what the model is fed. The weights are
    read with ``params_from_keras`` and the numpy cell is run on the layer's inputs, so the
    result holds every step's gates as arrays (batch, time, units): ``f, i, o, g, c, h`` for an
    LSTM, ``z, r, h_tilde, h`` for a GRU, ``h`` for a SimpleRNN.
    """
    model = None
    if hasattr(model_or_layer, "cell"):
        target = model_or_layer
    else:
        model = model_or_layer
        if layer is None:
            found = [
                lay for lay in model.layers if type(lay).__name__ in ("SimpleRNN", "LSTM", "GRU")
            ]
            if not found:
                raise ValueError(f"{model.name} has no SimpleRNN, LSTM or GRU layer")
            target = found[0]
        elif isinstance(layer, str):
            target = model.get_layer(layer)
        else:
            target = layer
    inputs = _layer_inputs(model, target, X)
    step, kw = step_for(target)
    H, per_step = cells.run_sequence(step, inputs, None, params_from_keras(target), **kw)
    return {**per_step, "h": H}
