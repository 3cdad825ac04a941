"""The language of what the kit says: feedback, engine messages, reports.

Messages are written in English in the code and marked for translation with `_`:

    from autograder.i18n import _
    observed=_("the output has shape {shape}").format(shape=tuple(out.shape))

A check's description is the first paragraph of its docstring (see plugin.describe), translated
the same way. Translations live in gettext catalogues, one per area of the code, so that the
engine and each assignment's graders are translated independently:

    autograder/i18n/locale/<lang>/engine.po         messages of autograder/*.py
    autograder/i18n/locale/<lang>/<assignment>.po   messages of autograder/graders/<assignment>/
    autograder/i18n/locale/<lang>/LC_MESSAGES/kit.mo  all of them, compiled (what gettext reads)

`python -m autograder.i18n check` lists what is missing, stale or out of date;
`python -m autograder.i18n update` adds new messages to the catalogues (untranslated), drops the
ones the code no longer uses, and compiles kit.mo (`make translations`). That tooling is
`autograder.i18n.catalogue`; this module is only what grading needs. The kit's tests fail
while a catalogue is incomplete or kit.mo is stale.

The language is chosen per grading run (`--lang`), else per notebook (the release records it in
the notebook's metadata, `kit.language`), else English. Switching it is `use(language)`; the
judge of each submission and the grading process while it words that submission's result do so.
"""
from __future__ import annotations

import contextlib
import gettext
from pathlib import Path

LANGUAGES = ("en", "zh")
DEFAULT = "en"
DOMAIN = "kit"
# The engine package (message areas are named by paths inside it) and the catalogues.
PACKAGE = Path(__file__).resolve().parent.parent
LOCALE = PACKAGE / "i18n" / "locale"
# Names the language in each language: for messages that say which one is in use.
NAMES = {"en": "English", "zh": "中文"}

_catalogues: dict[str, gettext.NullTranslations] = {}
_current: gettext.NullTranslations = gettext.NullTranslations()
_language = DEFAULT


def _catalogue(language: str) -> gettext.NullTranslations:
    if language not in _catalogues:
        if language == DEFAULT:
            _catalogues[language] = gettext.NullTranslations()
        else:
            _catalogues[language] = gettext.translation(DOMAIN, LOCALE, [language], fallback=True)
    return _catalogues[language]


def valid(language) -> str | None:
    """`language` if the kit speaks it, else None (the value may come from a learner's file)."""
    return language if isinstance(language, str) and language in LANGUAGES else None


def set_language(language: str) -> None:
    global _current, _language
    if valid(language) is None:
        raise ValueError(f"unknown language {language!r}; the kit speaks {', '.join(LANGUAGES)}")
    _language, _current = language, _catalogue(language)


def language() -> str:
    return _language


@contextlib.contextmanager
def use(language: str | None):
    """Speak `language` (None: keep the current one) inside the block."""
    before = _language
    if language is not None:
        set_language(language)
    try:
        yield
    finally:
        set_language(before)


def _(message: str) -> str:
    """`message` in the current language (itself when there is no translation)."""
    return _current.gettext(message)


def translate(message: str) -> str:
    """`_` for a message extracted some other way (a check's description, from its docstring)."""
    return _current.gettext(message)


def N_(message: str) -> str:
    """Marks `message` for translation where it is defined; `_(message)` translates it where it
    is used (the gettext convention)."""
    return message


def in_every_language(message: str) -> tuple[str, ...]:
    """`message` as each language words it: to recognise a text the kit wrote in any of them."""
    return tuple(dict.fromkeys(_catalogue(lang).gettext(message) for lang in LANGUAGES))


def prefixes(message: str) -> tuple[str, ...]:
    """The literal start of `message` (up to its first replacement field), in every language."""
    return tuple(dict.fromkeys(text.split("{", 1)[0] for text in in_every_language(message)))


def notebook_language(notebook: dict) -> str | None:
    """The language a released notebook records (`metadata.kit.language`), if the kit speaks it."""
    meta = notebook.get("metadata") if isinstance(notebook, dict) else None
    kit = meta.get("kit") if isinstance(meta, dict) else None
    return valid(kit.get("language")) if isinstance(kit, dict) else None
