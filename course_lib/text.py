"""A tiny corpus and the plumbing of next-token prediction (lesson 03).

A language model reads the words so far and answers with a **probability distribution** over
the next word. Here: a small corpus the course wrote itself (in the style of the lecture's
"My name is …" and "All I want for Christmas is you"), a vocabulary, the (context → next word)
training pairs, and sampling from a distribution with a temperature. The same corpus read
**character by character** (Karpathy's "The unreasonable effectiveness of recurrent neural
networks", 2015) gives a character vocabulary, (input, shifted target) training sequences and a
sampler that carries the network's state. The models themselves are built in Keras in the
lesson. numpy only: no TensorFlow.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence

import numpy as np

__all__ = [
    "CORPUS",
    "PAD",
    "END",
    "tokenize",
    "Vocabulary",
    "next_token_pairs",
    "softmax",
    "softmax_with_temperature",
    "sample_next",
    "generate",
    "char_corpus",
    "CharVocabulary",
    "char_sequences",
    "sample_chars",
]

#: Padding token (id 0) put before a sentence's first word, and the end-of-sentence token.
PAD = "<pad>"
END = "<end>"

#: The course's own small corpus: short sentences with repeated patterns, so that a tiny model
#: can learn which words follow which within seconds.
CORPUS = (
    "my name is anna .",
    "my name is bruno .",
    "my name is carla .",
    "my name is anna and i like music .",
    "my name is bruno and i like football .",
    "my name is carla and i like cats .",
    "all i want for christmas is you .",
    "all i want for christmas is snow .",
    "all i want for my birthday is a cat .",
    "all i want is you .",
    "i want to learn about networks .",
    "i want to learn about music .",
    "i like music and i like cats .",
    "the cat chased the mouse .",
    "the mouse chased the cat .",
    "the dog chased the cat .",
    "the cat is on the mat .",
    "the dog is in the garden .",
    "it is snowing in december .",
    "it is sunny in the garden .",
    "we sing songs at christmas .",
    "we eat cake on my birthday .",
    "music is all i want .",
    "you are my friend .",
)


def tokenize(text: str) -> list[str]:
    """Lower-case words and punctuation marks as separate tokens: "Is it?" → ["is", "it", "?"]."""
    return re.findall(r"[a-z0-9']+|[.,!?;:]", text.lower())


class Vocabulary:
    """Word ↔ id. Id 0 is ``PAD`` and id 1 is ``END``; the other words follow in sorted order.

    ``vocab.ids(words)`` and ``vocab.words(ids)`` convert; an unknown word raises ValueError
    naming it (the corpus is closed: nothing is silently mapped to "unknown").
    """

    def __init__(self, sentences: Iterable[str]):
        words = sorted({w for s in sentences for w in tokenize(s)} - {PAD, END})
        self.itos: list[str] = [PAD, END, *words]
        self.stoi: dict[str, int] = {w: i for i, w in enumerate(self.itos)}

    def __len__(self) -> int:
        return len(self.itos)

    def __contains__(self, word: str) -> bool:
        return word in self.stoi

    def ids(self, words: Sequence[str] | str) -> list[int]:
        if isinstance(words, str):
            words = tokenize(words)
        missing = [w for w in words if w not in self.stoi]
        if missing:
            raise ValueError(f"not in the vocabulary: {missing}")
        return [self.stoi[w] for w in words]

    def words(self, ids: Iterable[int]) -> list[str]:
        out = []
        for i in ids:
            i = int(i)
            if not 0 <= i < len(self.itos):
                raise ValueError(f"id {i} is outside the vocabulary (0 … {len(self.itos) - 1})")
            out.append(self.itos[i])
        return out


def next_token_pairs(sentences: Iterable[str], vocab: Vocabulary, context: int):
    """Training pairs "the ``context`` words so far → the next word", from every position.

    Each sentence is read as ``[PAD] * context + words + [END]``; for each word and for END,
    the ``context`` tokens before it are the input. Returns ``X`` (n, context) int64 ids and
    ``y`` (n,) int64 ids. E.g. with context 3, "my name is anna ." gives
    (pad pad pad → my), (pad pad my → name), (pad my name → is), (my name is → anna), …
    """
    if context < 1:
        raise ValueError(f"context must be >= 1, got {context}")
    X, y = [], []
    for sentence in sentences:
        ids = [0] * context + vocab.ids(tokenize(sentence)) + [vocab.stoi[END]]
        for t in range(context, len(ids)):
            X.append(ids[t - context : t])
            y.append(ids[t])
    return np.array(X, dtype=np.int64), np.array(y, dtype=np.int64)


def softmax(logits, temperature: float = 1.0) -> np.ndarray:
    """The softmax with a temperature T: p_i = exp(z_i / T) / Σ_j exp(z_j / T).

    ``logits`` z is a 1-D array of scores (a score of −inf gets probability 0). T = 1 is the
    plain softmax, T < 1 sharpens the distribution towards the largest score, T > 1 flattens
    it towards uniform. Computed as exp(z/T − max(z/T)) so that large scores do not overflow.
    """
    z = np.asarray(logits, dtype=float)
    if z.ndim != 1 or z.size == 0 or np.isnan(z).any() or np.isposinf(z).any():
        raise ValueError(f"logits must be a non-empty 1-D array of numbers < inf, got {z!r}")
    if np.isneginf(z).all():
        raise ValueError("logits are all -inf: no token can be drawn")
    if not temperature > 0:
        raise ValueError(f"temperature must be > 0, got {temperature}")
    scaled = z / temperature
    scaled = scaled - scaled.max()
    with np.errstate(under="ignore"):
        w = np.exp(scaled)
    return w / w.sum()


def softmax_with_temperature(probs, temperature: float = 1.0) -> np.ndarray:
    """Re-weight a distribution: p_i^(1/T) / Σ_j p_j^(1/T) (the softmax of log p / T).

    T = 1 keeps it, T < 1 sharpens it towards the most likely word, T > 1 flattens it.
    """
    p = np.asarray(probs, dtype=float)
    if p.ndim != 1 or p.size == 0 or np.any(p < 0) or not np.isfinite(p).all() or p.sum() <= 0:
        raise ValueError("probs must be a non-empty 1-D array of non-negative numbers, not all 0")
    if not temperature > 0:
        raise ValueError(f"temperature must be > 0, got {temperature}")
    with np.errstate(divide="ignore"):
        logits = np.log(p)
    return softmax(logits, temperature)


def sample_next(probs, rng: np.random.Generator, temperature: float = 1.0) -> int:
    """Draw one token id from ``probs`` (after the temperature), with the generator ``rng``."""
    p = softmax_with_temperature(probs, temperature)
    return int(rng.choice(p.size, p=p))


def generate(
    predict: Callable[[np.ndarray], np.ndarray],
    vocab: Vocabulary,
    prompt: str,
    context: int,
    rng: np.random.Generator,
    max_words: int = 8,
    temperature: float = 1.0,
) -> list[str]:
    """Continue ``prompt`` one word at a time until ``END`` or ``max_words``.

    ``predict`` maps a batch of contexts (1, context) of ids to next-word probabilities
    (1, len(vocab)), e.g. ``lambda X: model.predict(X, verbose=0)``. The prompt is padded with
    ``PAD`` on the left, as in ``next_token_pairs``. Returns the generated words (not the
    prompt, not ``END``).
    """
    ids = [0] * context + vocab.ids(tokenize(prompt))
    out = []
    for _ in range(max_words):
        probs = np.asarray(predict(np.array([ids[-context:]], dtype=np.int64)))[0]
        if probs.shape != (len(vocab),):
            raise ValueError(f"predict returned shape {probs.shape}; expected (1, {len(vocab)})")
        nxt = sample_next(probs, rng, temperature)
        if nxt == vocab.stoi[END]:
            break
        out.append(vocab.itos[nxt])
        ids.append(nxt)
    return out


# --------------------------------------------------------------------------------------------
# Characters
# --------------------------------------------------------------------------------------------


def char_corpus(sentences: Iterable[str] = CORPUS) -> str:
    """The sentences as one text, one per line: "my name is anna .\\nmy name is bruno .\\n…".

    The newline ends a sentence, so a character model learns where sentences stop.
    """
    return "".join(f"{s}\n" for s in sentences)


class CharVocabulary:
    """Character ↔ id, the characters of ``text`` in sorted order (the newline comes first).

    ``vocab.ids(text)`` and ``vocab.text(ids)`` convert; a character that is not in the
    vocabulary raises ValueError naming it.
    """

    def __init__(self, text: str):
        if not text:
            raise ValueError("text is empty: no characters for a vocabulary")
        self.itos: list[str] = sorted(set(text))
        self.stoi: dict[str, int] = {c: i for i, c in enumerate(self.itos)}

    def __len__(self) -> int:
        return len(self.itos)

    def __contains__(self, char: str) -> bool:
        return char in self.stoi

    def ids(self, text: str) -> np.ndarray:
        missing = sorted({c for c in text if c not in self.stoi})
        if missing:
            raise ValueError(f"characters not in the vocabulary: {missing}")
        return np.array([self.stoi[c] for c in text], dtype=np.int64)

    def text(self, ids: Iterable[int]) -> str:
        out = []
        for i in ids:
            i = int(i)
            if not 0 <= i < len(self.itos):
                raise ValueError(f"id {i} is outside the vocabulary (0 … {len(self.itos) - 1})")
            out.append(self.itos[i])
        return "".join(out)


def char_sequences(ids, length: int, step: int = 1):
    """Training sequences of a character model: every input character's target is the next one.

    Row k reads ``ids[k·step : k·step + length]`` as input ``X`` and the same span shifted by one,
    ``ids[k·step + 1 : k·step + length + 1]``, as target ``Y`` (sequence → sequence: a target at
    every step). Returns ``X`` and ``Y``, both (n, length) int64, n = ⌊(len(ids) − length − 1) /
    step⌋ + 1.
    """
    a = np.asarray(ids, dtype=np.int64)
    if a.ndim != 1:
        raise ValueError(f"ids must be 1-D, got shape {a.shape}")
    if length < 1 or step < 1:
        raise ValueError(f"length and step must be >= 1, got {length} and {step}")
    if a.size < length + 1:
        raise ValueError(f"text too short: length={length} needs {length + 1} ids, got {a.size}")
    starts = np.arange(0, a.size - length, step)
    idx = starts[:, None] + np.arange(length)[None, :]
    return a[idx], a[idx + 1]


def sample_chars(
    next_logits: Callable,
    vocab: CharVocabulary,
    rng: np.random.Generator,
    prompt: str = "",
    temperature: float = 1.0,
    max_chars: int = 80,
    start: str = "\n",
    stop: str = "\n",
) -> str:
    """Write text one character at a time, carrying the network's state (as in min-char-rnn).

    ``next_logits(char_id, state) -> (logits, state)`` runs one step of the model: it reads one
    character id and the state (``None`` at the start) and returns the scores of the next
    character (V,) and the new state. The model first reads ``start`` (a sentence begins after a
    newline) and the ``prompt``; then each next character is drawn from
    ``softmax(logits, temperature)`` with ``rng`` and fed back, until ``stop`` or ``max_chars``.
    Returns the characters written after the prompt (without ``stop``).
    """
    state, logits = None, None
    for i in vocab.ids(start + prompt):
        logits, state = next_logits(int(i), state)
    stop_id = vocab.stoi.get(stop) if stop else None
    out = []
    for _ in range(max_chars):
        logits = np.asarray(logits, dtype=float)
        if logits.shape != (len(vocab),):
            raise ValueError(f"next_logits returned shape {logits.shape}; expected ({len(vocab)},)")
        nxt = int(rng.choice(len(vocab), p=softmax(logits, temperature)))
        if nxt == stop_id:
            break
        out.append(vocab.itos[nxt])
        logits, state = next_logits(nxt, state)
    return "".join(out)
