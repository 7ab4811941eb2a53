"""The message catalogue: every key in every language with the same fields, and the Korean
diagnosis saying what the English one says — the same label, suggestion and numbers."""

import json
import re
import string
from collections import Counter
from pathlib import Path

import pytest

from gdlab import i18n
from gdlab.cli import main

from .test_advice import CORPUS

HANGUL = re.compile("[\uac00-\ud7a3]")
NUMBER = re.compile(r"(?<![\w.])[-−]?\d+(?:\.\d+)?(?:e[+-]?\d+)?")


def test_every_key_is_in_every_language_with_the_same_fields():
    english = i18n.catalogue("en")
    assert len(english) > 100
    for lang in i18n.LANGUAGES:
        other = i18n.catalogue(lang)
        assert set(other) == set(english), (lang, set(other) ^ set(english))
        for key, template in english.items():
            assert type(other[key]) is type(template), (lang, key)
            assert i18n.fields(other[key]) == i18n.fields(template), (lang, key)


def test_korean_texts_are_korean():
    """Every Korean sentence with letters in it has Hangul (nothing left in English), except
    symbols, option names and units that are the same in both."""
    english = i18n.catalogue("en")
    for key, template in i18n.catalogue("ko").items():
        forms = template.values() if isinstance(template, dict) else [template]
        for form in forms:
            words = re.sub(r"\{[^}]*\}|[a-z_]+=\S*", "", form)
            if re.search("[A-Za-z]{3,}", words) and english[key] != template:
                assert HANGUL.search(form), (key, form)


def test_language_choice_cli_env_and_errors(capsys, monkeypatch):
    argv = ["descend", "himmelblau", "--start", "0,0", "--lr", "0.01"]
    assert main(argv + ["--lang", "ko"]) == 0
    assert "전역 최솟값에 도달했습니다" in capsys.readouterr().out
    assert main(argv) == 0  # the choice ended with that invocation
    assert "reached a global minimum" in capsys.readouterr().out
    monkeypatch.setenv("GDLAB_LANG", "ko_KR.UTF-8")
    assert main(argv) == 0
    assert "조언:" in capsys.readouterr().out
    assert main(["--lang", "en", *argv]) == 0  # the option wins over the environment
    assert "advice:" in capsys.readouterr().out
    monkeypatch.setenv("GDLAB_LANG", "fr")
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert err.strip() == "error: `GDLAB_LANG` must be one of en, ko; got 'fr'" and not out


@pytest.mark.parametrize("argv, label", CORPUS[::2], ids=[" ".join(a)[:50] for a, _ in
                                                           CORPUS[::2]])
def test_the_korean_diagnosis_says_the_same(capsys, argv, label):
    docs = {}
    for lang in ("en", "ko"):
        assert main(["descend", *argv, "--json", "--lang", lang]) == 0
        docs[lang] = json.loads(capsys.readouterr().out)["runs"][0]
    en, ko = docs["en"], docs["ko"]
    assert ko["diagnosis"] == en["diagnosis"] == label and ko["suggestion"] == en["suggestion"]
    for field in ("explanation", "advice"):
        assert HANGUL.search(ko[field]), ko[field]
        lost = Counter(NUMBER.findall(en[field])) - Counter(NUMBER.findall(ko[field]))
        assert not lost, (field, en[field], ko[field])


# --- the playground's words (locale/*/page.toml, read by app.js's t()) --------------------

STATIC = Path(__file__).resolve().parent.parent / "src" / "gdlab" / "web" / "static"


def _forms(template):
    return template.values() if isinstance(template, dict) else [template]


def test_page_templates_have_plain_fields_only():
    """The page fills ``{name}`` itself (its own fmt()/vec() write the numbers): no format spec,
    no conversion, no index or attribute, no escaped brace it would not undo."""
    from gdlab.web.routes.meta import PAGE_AREAS  # what /api/messages serves the page

    for lang in i18n.LANGUAGES:
        page = {k: v for k, v in i18n.catalogue(lang).items() if k.startswith(PAGE_AREAS)}
        assert len(page) > 150
        for key, template in page.items():
            for form in _forms(template):
                assert "{{" not in form and "}}" not in form, (lang, key)
                for _, name, spec, conversion in string.Formatter().parse(form):
                    if name is not None:
                        assert re.fullmatch(r"[a-z_]+", name) and not spec and not conversion, \
                            (lang, key, form)


def test_the_page_is_served_with_the_catalogues_words_and_has_none_of_its_own():
    """static/index.html names each word by its key (data-i18n, data-i18n-attr) and writes none
    itself; the server fills them in the language asked for (what shows before the script
    runs, and without one)."""
    import html as html_lib

    from gdlab.web.app import localized_index

    static = (STATIC / "index.html").read_text("utf-8")
    assert not re.findall(r'data-i18n="[\w.]+"[^>]*>([^<]+)<', static)  # no word of its own
    for pairs, rest in re.findall(r'data-i18n-attr="([^"]+)"([^>]*)>', static):
        for pair in pairs.split():
            assert re.search(rf'\s{pair.split(":")[0]}=""', rest), pair
    for lang in i18n.LANGUAGES:
        page, words = localized_index(lang), i18n.catalogue(lang)
        assert f'<html lang="{lang}">' in page
        texts = re.findall(r'data-i18n="([\w.]+)"[^>]*>([^<]*)<', page)
        attrs = re.findall(r'data-i18n-attr="([^"]+)"([^>]*)>', page)
        assert len(texts) > 40 and len(attrs) > 20
        for key, shown in texts:
            assert html_lib.unescape(shown) == words[key], (lang, key)
        for pairs, rest in attrs:
            for pair in pairs.split():
                attr, key = pair.split(":")
                value = re.search(rf'\s{attr}="([^"]*)"', rest)
                assert value and html_lib.unescape(value.group(1)) == words[key], (attr, key)


def test_every_key_the_page_asks_for_is_in_the_catalogue():
    script = (STATIC / "app.js").read_text("utf-8")
    english = i18n.catalogue("en")
    asked = set(re.findall(r'\bt\("([\w.]+)"', script))
    assert len(asked) > 70
    assert asked - set(english) == set()
    # keys built from a name: each name the page can meet has its key
    from gdlab.calculus import CRITICAL_KINDS
    from gdlab.diagnose import LABELS
    from gdlab.steps import STATE_FIELDS

    built = {"page.note": ("contour", "surface", "basins", "lrmap", "inspect"),
             "calculus.kind": CRITICAL_KINDS, "label": LABELS, "page.state": STATE_FIELDS,
             "page.event": ("near_saddle",), "page.player": ("play", "pause", "play_text",
                                                              "pause_text"),
             "page.bound": ("at_start", "at_minimum", "at_end", "at_nearest", "nearest_start",
                            "at_starts")}
    for prefix, names in built.items():
        assert {f"{prefix}.{n}" for n in names} <= set(english), prefix


def test_every_preset_has_its_title_in_every_language():
    from gdlab.presets import presets

    for p in presets():
        assert i18n.text(f"preset.{p['name']}", "en") == p["title"]
        assert HANGUL.search(i18n.text(f"preset.{p['name']}", "ko"))


def test_a_results_diagnoses_speak_the_language_in_use_when_asked():
    import gdlab

    r = gdlab.run("himmelblau", [[0.0, 0.0], [-1.0, 4.0]], "gd:0.05", max_steps=300)
    english = [d.explanation for d in r.diagnoses()[0]]
    with i18n.use("ko"):
        korean = r.diagnoses()[0]
    assert all(HANGUL.search(d.explanation) for d in korean)
    assert [d.explanation for d in r.diagnoses()[0]] == english  # English again, unchanged
    assert [d.label for d in korean] == [d.label for d in r.diagnoses()[0]]
