"""The message catalogue: every sentence gdlab says to a person, in English and in Korean.

One catalogue per language (``gdlab/locale/en/*.toml``, ``gdlab/locale/ko/*.toml``, a file per
area: advice, cli, figure, page) holds each
explanation, piece of advice, figure text and page label once, under a dotted key, as a
``str.format`` template whose fields the caller fills (``{value:.6g}``); the CLI, the figures,
the demo and the playground (``GET /api/messages``) all read it, so no sentence is written
twice. A key whose text depends on a count is a table ``{one = …, other = …}``, chosen by the
field ``n``.

The language is ``en`` unless chosen: :func:`use` for a block of code (one web request),
:func:`set_language` from now on (a notebook, the CLI's ``--lang``), else the environment
variable ``GDLAB_LANG`` (``ko``, also ``ko_KR.UTF-8``).

>>> text("unit.steps", n=1), text("unit.steps", n=3)
('1 step', '3 steps')
>>> with use("ko"):
...     text("unit.steps", n=3)
'3단계'
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import os
import string
import tomllib
from importlib import resources
from typing import Iterator

from .errors import ConfigError

__all__ = ["LANGUAGES", "DEFAULT_LANGUAGE", "ENVIRONMENT", "language", "use", "set_language",
           "text", "catalogue", "check", "fields"]

#: the languages gdlab speaks, with their own names (for a language menu)
LANGUAGES = {"en": "English", "ko": "한국어"}
DEFAULT_LANGUAGE = "en"
#: the environment variable that chooses the language where no option does
ENVIRONMENT = "GDLAB_LANG"

_CURRENT: contextvars.ContextVar[str | None] = contextvars.ContextVar("gdlab_lang", default=None)


def check(lang: str, where: str = "language") -> str:
    """``lang`` as one of :data:`LANGUAGES` (``ko_KR.UTF-8`` → ``ko``); a
    :class:`~gdlab.errors.ConfigError` naming ``where`` and the choices otherwise."""
    code = str(lang).strip().split(".")[0].replace("-", "_").split("_")[0].lower()
    if code not in LANGUAGES:
        raise ConfigError(f"`{where}` must be one of {', '.join(LANGUAGES)}; got {lang!r}")
    return code


def language() -> str:
    """The language in use: :func:`use`'s, else ``$GDLAB_LANG``'s, else English."""
    chosen = _CURRENT.get()
    if chosen is not None:
        return chosen
    env = os.environ.get(ENVIRONMENT)
    return check(env, ENVIRONMENT) if env else DEFAULT_LANGUAGE


@contextlib.contextmanager
def use(lang: str | None) -> Iterator[str]:
    """Speak ``lang`` inside the block (``None``: keep the language in use)."""
    token = _CURRENT.set(check(lang) if lang is not None else language())
    try:
        yield _CURRENT.get()
    finally:
        _CURRENT.reset(token)


def set_language(lang: str) -> str:
    """Speak ``lang`` from now on in the current context: a notebook's (``gdlab.set_language
    ("ko")``, then every explanation and figure is Korean); a CLI invocation runs in its own
    copy of the context, so its ``--lang`` ends with it."""
    _CURRENT.set(check(lang))
    return lang


@functools.cache
def catalogue(lang: str) -> dict[str, str | dict[str, str]]:
    """Every key of ``lang``'s catalogue with its template (a plural key: ``{one, other}``)."""
    flat: dict[str, str | dict[str, str]] = {}

    def walk(table: dict, prefix: str, part: str) -> None:
        for key, value in table.items():
            name = f"{prefix}{key}"
            if isinstance(value, dict) and set(value) != {"one", "other"}:
                walk(value, name + ".", part)
            elif name in flat:
                raise ValueError(f"locale/{lang}/{part}: key {name!r} is defined twice")
            else:
                flat[name] = value

    folder = resources.files("gdlab").joinpath("locale", check(lang))
    for part in sorted(p.name for p in folder.iterdir() if p.name.endswith(".toml")):
        walk(tomllib.loads(folder.joinpath(part).read_text("utf-8")), "", part)
    return flat


def text(key: str, /, lang: str | None = None, **values) -> str:
    """The sentence ``key`` in ``lang`` (default: :func:`language`), its fields filled."""
    template = catalogue(lang or language())[key]
    if isinstance(template, dict):
        template = template["one" if values.get("n") == 1 else "other"]
    return template.format(**values)


def fields(template: str | dict[str, str]) -> set[str]:
    """The field names a template fills (both forms of a plural key)."""
    forms = template.values() if isinstance(template, dict) else [template]
    return {name for form in forms for _, name, _, _ in string.Formatter().parse(form)
            if name is not None}
