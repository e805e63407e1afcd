"""The language of what the course prints: ``set_language("pt-BR")`` or ``set_language("en")``.

English is the source and the default. Explorer labels, buttons, table headers, messages of the
public checks and what the helpers print go through :func:`gettext` (``_``) at the moment they are
shown, so a lesson calls ``course_lib.set_language("pt-BR")`` once at its top, before it builds
its explorers. The Portuguese texts are gettext catalogues inside the package
(``course_lib/i18n/locale/pt_BR/LC_MESSAGES/*.po``, one per part of the library), read with
Babel on first use. An entry that is missing, empty or fuzzy falls back to English; a test keeps
the catalogues complete.

Strings are marked the usual gettext way so that ``python3 course.py translate`` finds them:
``_("text")`` where the text is shown, ``N_("text")`` for a constant that is translated later with
``_``, and ``"{name} …".format(name=…)`` (never an f-string) for a text with values in it.
"""

from __future__ import annotations

from pathlib import Path

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
#: Languages the course has: code -> gettext folder name under ``LOCALE_DIR``.
LANGUAGES = {"en": "en", "pt-BR": "pt_BR"}
_ALIASES = {
    "en": "en",
    "en-us": "en",
    "en_us": "en",
    "pt": "pt-BR",
    "pt-br": "pt-BR",
    "pt_br": "pt-BR",
}

_language = "en"
_catalogues: dict[str, dict[str, str | tuple[str, ...]]] = {}


def normalise_language(language: str) -> str:
    """``"pt_BR"``, ``"pt-br"``, ``"pt"`` -> ``"pt-BR"``; ``"en"`` -> ``"en"``; others raise."""
    if not isinstance(language, str):
        raise TypeError(f"language must be a string such as 'pt-BR' or 'en', not {language!r}")
    code = _ALIASES.get(language.strip().lower())
    if code is None:
        known = ", ".join(repr(k) for k in LANGUAGES)
        raise ValueError(f"unknown language {language!r}: the course has {known}")
    return code


def set_language(language: str = "en") -> str:
    """Show what the course prints in ``language`` (``"pt-BR"`` or ``"en"``) from now on.

    Explorers built afterwards use it; explorers already on the screen keep their labels.
    Returns the language now in use.
    """
    global _language
    code = normalise_language(language)
    if code != "en":
        _load(code)
    _language = code
    return _language


def get_language() -> str:
    """The language in use: ``"en"`` (default) or ``"pt-BR"``."""
    return _language


def catalogue_files(language: str) -> list[Path]:
    """The ``.po`` files of the library for ``language`` (one per part: core, widgets, grading)."""
    folder = LOCALE_DIR / LANGUAGES[normalise_language(language)] / "LC_MESSAGES"
    return sorted(folder.glob("*.po"))


def _load(code: str) -> dict[str, str | tuple[str, ...]]:
    if code not in _catalogues:
        from babel.messages.pofile import read_po

        table: dict[str, str | tuple[str, ...]] = {}
        for path in catalogue_files(code):
            with path.open("rb") as handle:
                catalogue = read_po(handle)
            for message in catalogue:
                if not message.id or message.fuzzy:
                    continue
                key = message.id if isinstance(message.id, str) else message.id[0]
                if isinstance(message.string, str):
                    if message.string:
                        table[key] = message.string
                elif all(message.string):
                    table[key] = tuple(message.string)
        _catalogues[code] = table
    return _catalogues[code]


def gettext(message: str) -> str:
    """``message`` in the language in use (English if it has no translation)."""
    if _language == "en":
        return message
    found = _catalogues[_language].get(message)
    return found if isinstance(found, str) else message


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form for ``n``, in the language in use."""
    if _language != "en":
        found = _catalogues[_language].get(singular)
        if isinstance(found, tuple):
            # Brazilian Portuguese: 0 and 1 take the singular (plural=(n > 1))
            return found[0] if n <= 1 else found[-1]
    return singular if n == 1 else plural


def N_(message: str) -> str:  # noqa: N802 - the gettext name
    """Mark ``message`` for translation without translating it (translate it later with ``_``)."""
    return message


_ = gettext

__all__ = [
    "LANGUAGES",
    "N_",
    "_",
    "catalogue_files",
    "get_language",
    "gettext",
    "ngettext",
    "normalise_language",
    "set_language",
]
