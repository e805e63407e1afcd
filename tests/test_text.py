"""course_lib.text: tokens, vocabulary, next-token pairs, temperature and sampling."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from course_lib import text


def test_tokenize():
    assert text.tokenize("My name is Anna.") == ["my", "name", "is", "anna", "."]
    assert text.tokenize("All I want, is you!") == ["all", "i", "want", ",", "is", "you", "!"]
    assert text.tokenize("") == []


def test_vocabulary_round_trip_and_reserved_ids():
    vocab = text.Vocabulary(text.CORPUS)
    assert vocab.itos[0] == text.PAD and vocab.itos[1] == text.END
    words = {w for s in text.CORPUS for w in s.split()}
    assert len(vocab) == len(words) + 2
    assert vocab.itos[2:] == sorted(words)
    ids = vocab.ids("all i want for christmas is you")
    assert vocab.words(ids) == ["all", "i", "want", "for", "christmas", "is", "you"]
    assert "christmas" in vocab and "easter" not in vocab
    with pytest.raises(ValueError, match="easter"):
        vocab.ids("happy easter")
    with pytest.raises(ValueError, match="outside the vocabulary"):
        vocab.words([len(vocab)])


def test_next_token_pairs_by_hand():
    vocab = text.Vocabulary(["my name is anna ."])
    X, y = text.next_token_pairs(["my name is anna ."], vocab, context=3)
    pad = 0
    words = ["my", "name", "is", "anna", "."]
    expected_x = [
        [pad, pad, pad],
        [pad, pad, "my"],
        [pad, "my", "name"],
        ["my", "name", "is"],
        ["name", "is", "anna"],
        ["is", "anna", "."],
    ]
    expected_y = [*words, text.END]

    def as_id(w):
        return w if w == pad else vocab.itos.index(w)

    assert X.tolist() == [[as_id(w) for w in row] for row in expected_x]
    assert y.tolist() == [vocab.itos.index(w) for w in expected_y]
    assert X.dtype == np.int64 and y.dtype == np.int64


def test_corpus_pairs_count_and_the_lectures_examples():
    vocab = text.Vocabulary(text.CORPUS)
    X, y = text.next_token_pairs(text.CORPUS, vocab, context=4)
    n_tokens = sum(len(s.split()) + 1 for s in text.CORPUS)  # every word, plus the end
    assert X.shape == (n_tokens, 4) and y.shape == (n_tokens,)
    # after "my name is" the corpus continues with a name: the distribution the model should learn
    ctx = vocab.ids(["my", "name", "is"])
    nxt = Counter(vocab.itos[t] for row, t in zip(X, y, strict=True) if list(row[1:]) == ctx)
    assert set(nxt) == {"anna", "bruno", "carla"}
    with pytest.raises(ValueError, match="context"):
        text.next_token_pairs(text.CORPUS, vocab, context=0)


def test_softmax_with_temperature_closed_form():
    p = np.array([0.5, 0.3, 0.2])
    np.testing.assert_allclose(text.softmax_with_temperature(p, 1.0), p, rtol=1e-12)
    sq = p**2 / np.sum(p**2)
    np.testing.assert_allclose(text.softmax_with_temperature(p, 0.5), sq, rtol=1e-12)
    flat = text.softmax_with_temperature(p, 1e6)
    np.testing.assert_allclose(flat, np.full(3, 1 / 3), rtol=1e-5)
    with np.errstate(all="raise"):
        sharp = text.softmax_with_temperature(np.array([0.5, 0.3, 0.0, 0.2]), 1e-3)
    np.testing.assert_allclose(sharp, [1.0, 0.0, 0.0, 0.0], atol=1e-12)
    for bad in ([], [-0.1, 1.1], [0.0, 0.0], [[0.5, 0.5]]):
        with pytest.raises(ValueError, match="probs"):
            text.softmax_with_temperature(bad)
    with pytest.raises(ValueError, match="temperature"):
        text.softmax_with_temperature(p, 0.0)


def test_sample_next_follows_the_distribution_and_the_seed():
    p = np.array([0.1, 0.6, 0.3])
    rng = np.random.default_rng(0)
    draws = [text.sample_next(p, rng) for _ in range(20000)]
    freq = np.bincount(draws, minlength=3) / len(draws)
    np.testing.assert_allclose(freq, p, atol=0.015)
    a = [text.sample_next(p, np.random.default_rng(5)) for _ in range(3)]
    b = [text.sample_next(p, np.random.default_rng(5)) for _ in range(3)]
    assert a == b
    assert all(text.sample_next(np.array([0.0, 1.0, 0.0]), rng) == 1 for _ in range(20))


def test_generate_with_a_fixed_table_model():
    vocab = text.Vocabulary(["all i want is you ."])
    follow = {"<pad>": "all", "all": "i", "i": "want", "want": "is", "is": "you", "you": "."}
    follow["."] = text.END

    def predict(X):
        assert X.shape == (1, 2) and X.dtype == np.int64
        probs = np.zeros((1, len(vocab)))
        probs[0, vocab.stoi[follow[vocab.itos[X[0, -1]]]]] = 1.0
        return probs

    rng = np.random.default_rng(0)
    assert text.generate(predict, vocab, "all i", 2, rng) == ["want", "is", "you", "."]
    assert text.generate(predict, vocab, "", 2, rng) == ["all", "i", "want", "is", "you", "."]
    assert text.generate(predict, vocab, "all", 2, rng, max_words=2) == ["i", "want"]
    with pytest.raises(ValueError, match="shape"):
        text.generate(lambda X: np.ones((1, 3)) / 3, vocab, "all", 2, rng)


def test_softmax_closed_form_and_temperature():
    import math

    z = [2.0, 1.0, -0.5]
    for T in (1.0, 0.5, 3.0):
        e = [math.exp(v / T) for v in z]
        np.testing.assert_allclose(text.softmax(z, T), [v / sum(e) for v in e], rtol=1e-13)
    # shifting every score changes nothing; huge scores do not overflow
    np.testing.assert_allclose(text.softmax(np.array(z) + 1000.0), text.softmax(z), rtol=1e-13)
    np.testing.assert_allclose(text.softmax([0.0, 0.0, 0.0, 0.0]), np.full(4, 0.25))
    np.testing.assert_allclose(text.softmax([1.0, 0.0], temperature=1e-4), [1.0, 0.0], atol=1e-12)
    np.testing.assert_allclose(text.softmax([5.0, -np.inf, 5.0]), [0.5, 0.0, 0.5])
    # softmax(log p, T) is the reweighting p^(1/T) of softmax_with_temperature
    p = np.array([0.6, 0.3, 0.1])
    np.testing.assert_allclose(
        text.softmax(np.log(p), 0.7), p ** (1 / 0.7) / np.sum(p ** (1 / 0.7)), rtol=1e-13
    )
    for bad in ([], [[1.0, 2.0]], [1.0, np.nan], [np.inf, 0.0], [-np.inf, -np.inf]):
        with pytest.raises(ValueError, match="logits"):
            text.softmax(bad)
    with pytest.raises(ValueError, match="temperature"):
        text.softmax(z, -1.0)


def test_char_corpus_and_vocabulary():
    corpus = text.char_corpus(["ab c", "ca"])
    assert corpus == "ab c\nca\n"
    vocab = text.CharVocabulary(corpus)
    assert vocab.itos == ["\n", " ", "a", "b", "c"] and len(vocab) == 5
    assert vocab.ids("cab\n").tolist() == [4, 2, 3, 0]
    assert vocab.text([2, 3, 1, 4]) == "ab c" and "a" in vocab and "z" not in vocab
    with pytest.raises(ValueError, match=r"\['x', 'z'\]"):
        vocab.ids("zax")
    with pytest.raises(ValueError, match="outside"):
        vocab.text([5])
    with pytest.raises(ValueError, match="empty"):
        text.CharVocabulary("")
    full = text.char_corpus()
    assert full.count("\n") == len(text.CORPUS) and full.startswith("my name is anna .\n")
    assert text.CharVocabulary(full).itos[0] == "\n"


def test_char_sequences_are_shifted_by_one():
    ids = np.arange(10) * 3
    X, Y = text.char_sequences(ids, length=4)
    assert X.shape == Y.shape == (6, 4) and X.dtype == np.int64
    assert X[0].tolist() == [0, 3, 6, 9] and Y[0].tolist() == [3, 6, 9, 12]
    assert X[-1].tolist() == [15, 18, 21, 24] and Y[-1].tolist() == [18, 21, 24, 27]
    for row_x, row_y in zip(X, Y, strict=True):
        assert row_x[1:].tolist() == row_y[:-1].tolist()
    X2, Y2 = text.char_sequences(ids, length=4, step=3)
    assert X2[:, 0].tolist() == [0, 9] and Y2[-1].tolist() == [12, 15, 18, 21]
    assert text.char_sequences(ids, length=9)[0].shape == (1, 9)
    with pytest.raises(ValueError, match="too short"):
        text.char_sequences(ids, length=10)
    with pytest.raises(ValueError, match="length and step"):
        text.char_sequences(ids, length=0)


def test_sample_chars_with_a_fixed_table_model():
    vocab = text.CharVocabulary(text.char_corpus(["abc"]))  # "\n", "a", "b", "c"
    follow = {"\n": "a", "a": "b", "b": "c", "c": "\n"}
    seen = []

    def next_logits(i, state):
        seen.append(vocab.itos[i])
        logits = np.full(len(vocab), -np.inf)
        logits[vocab.stoi[follow[vocab.itos[i]]]] = 0.0
        return logits, (0 if state is None else state + 1)

    rng = np.random.default_rng(0)
    assert text.sample_chars(next_logits, vocab, rng) == "abc"
    assert seen == ["\n", "a", "b", "c"]  # fed back one by one, the state carried
    seen.clear()
    assert text.sample_chars(next_logits, vocab, rng, prompt="ab") == "c"
    assert seen == ["\n", "a", "b", "c"]
    assert text.sample_chars(next_logits, vocab, rng, max_chars=2) == "ab"
    assert text.sample_chars(next_logits, vocab, rng, stop="", max_chars=6) == "abc\nab"
    with pytest.raises(ValueError, match="shape"):
        text.sample_chars(lambda i, s: (np.zeros(3), s), vocab, rng)


def test_sample_chars_follows_the_temperature():
    # one step model with fixed scores: the first drawn character's frequency is softmax(z/T)
    vocab = text.CharVocabulary("\nab")
    z = np.array([-np.inf, 1.0, 0.0])  # never the newline first

    def next_logits(i, state):
        return z, state

    for T in (0.5, 2.0):
        rng = np.random.default_rng(1)
        first = [
            text.sample_chars(next_logits, vocab, rng, temperature=T, max_chars=1)
            for _ in range(8000)
        ]
        freq_a = first.count("a") / len(first)
        assert freq_a == pytest.approx(1 / (1 + np.exp(-1 / T)), abs=0.015), (T, freq_a)
