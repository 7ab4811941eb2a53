"""Interactive figures with plotly: a contour map with run paths beside the 3-D surface.

Written as standalone HTML with plotly.js embedded (works offline, no CDN), or shown inline in
Jupyter (``fig.show()``, or just leave the figure as the cell's value).
"""

from __future__ import annotations

import html

from pathlib import Path

import numpy as np

from ..errors import ConfigError
from ..i18n import text
from .common import (PALETTE, contour_levels, label_name, domain_for, grid, named,
                     objective_2d, vec)

#: line styles of runs beyond the palette's colours
DASHES = ("solid", "dash", "dot", "dashdot")


def interactive(f, result=None, *, domain=None, n: int = 120, variables=None):
    """A plotly figure: contour map (with the paths of ``result``, a 2-D
    :class:`~gdlab.engine.RunResult` recorded with ``record="all"``) and the 3-D surface.

    Returns:
        ``plotly.graph_objects.Figure``.
    """
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    obj = objective_2d(f if result is None else result.objective, variables)
    paths, names = [], []
    if result is not None:
        if result.path is None:
            raise ConfigError("the run recorded no path (use record='all')")
        K, B = result.shape
        for k in range(K):
            for b in range(B):
                paths.append(result.run_path(k, b))
                d = result.diagnoses()[k][b]
                names.append(text("figure.from", what=result.optimizers[k].label,
                                  point=vec(result.starts[b])) + f": {label_name(d.label)}")
    finite = [p[np.all(np.isfinite(p) & (np.abs(p) < 1e6), axis=1)] for p in paths]
    domain = domain or domain_for(obj, np.vstack(finite) if finite else None)
    X, Y, Z = grid(obj, domain, n)
    z = Z.filled(np.nan)
    levels, is_log = contour_levels(Z)
    shown = np.log10(z - np.nanmin(z) + (levels[0] - levels.min() or 1e-12)) if is_log else z
    fig = make_subplots(rows=1, cols=2, specs=[[{"type": "xy"}, {"type": "scene"}]],
                        subplot_titles=(text("figure.interactive.contour")
                                        + (" (log₁₀ f − min)" if is_log else ""),
                                        text("figure.interactive.surface")),
                        horizontal_spacing=0.08)
    fig.add_trace(go.Contour(x=X[0], y=Y[:, 0], z=shown, colorscale="Viridis", ncontours=30,
                             showscale=False, name="f",
                             hovertemplate=f"{obj.variables[0]}=%{{x:.4g}}<br>"
                                           f"{obj.variables[1]}=%{{y:.4g}}<extra></extra>"),
                  row=1, col=1)
    fig.add_trace(go.Surface(x=X, y=Y, z=z, colorscale="Viridis", showscale=False, opacity=0.9,
                             name="f"), row=1, col=2)
    for i, (p, name) in enumerate(zip(paths, names)):
        # past the palette's colours, the same colours again with another dash: no two runs
        # look alike
        color, dash = PALETTE[i % len(PALETTE)], DASHES[(i // len(PALETTE)) % len(DASHES)]
        fig.add_trace(go.Scatter(x=p[:, 0], y=p[:, 1], mode="lines+markers", name=name,
                                 line={"color": color, "dash": dash}, marker={"size": 4},
                                 legendgroup=str(i)), row=1, col=1)
        fig.add_trace(go.Scatter3d(x=p[:, 0], y=p[:, 1], z=obj.value(p), mode="lines+markers",
                                   name=name, line={"color": color, "width": 5, "dash": dash},
                                   marker={"size": 2}, legendgroup=str(i), showlegend=False),
                      row=1, col=2)
    if obj.library is not None:
        minima = obj.library.minima(2)
        if minima:
            loc = np.array([m.location for m in minima])
            fig.add_trace(go.Scatter(x=loc[:, 0], y=loc[:, 1], mode="markers",
                                     name=text("term.known_minima"),
                                     marker={"symbol": "star", "size": 14, "color": "white",
                                             "line": {"color": "black", "width": 1}}),
                          row=1, col=1)
    fig.update_xaxes(title_text=obj.variables[0], range=list(domain[0]), constrain="domain",
                     row=1, col=1)
    # one scale on both axes: a right angle (∇f ⟂ a level curve, a path across it) looks like
    # one, as on the static maps
    fig.update_yaxes(title_text=obj.variables[1], range=list(domain[1]), scaleanchor="x",
                     scaleratio=1, row=1, col=1)
    fig.update_layout(title=named(obj), height=560, width=1150,
                      legend={"orientation": "h", "y": -0.15},
                      scene={"xaxis_title": obj.variables[0], "yaxis_title": obj.variables[1],
                             "zaxis_title": "f"})
    return fig


def html_target(path) -> Path:
    """The file an interactive figure may be written to, or a one-line refusal — asked
    before the runs too."""
    from ..files import output_target

    return output_target(path, "interactive", "an interactive figure")


def write_html(fig, path) -> Path:
    """Standalone HTML with plotly.js inside: opens with no network."""
    from ..files import replace_atomic

    target = html_target(path)

    return replace_atomic(target, lambda tmp: Path(tmp).write_text(standalone_html(fig),
                                                                   encoding="utf-8"))


def standalone_html(fig) -> str:
    """The page :func:`write_html` writes: plotly.js inside, ``<html lang>`` the language in
    use, and where the figure has Hangul, NanumGothic cut to its letters inside too (as a
    data: URL; named first for Hangul only) — a machine without a Korean font shows no tofu.
    The figure is drawn once that font is loaded (plotly sizes its key's texts when it draws:
    with a stand-in font's letters the entries overlapped)."""
    import json

    import plotly.graph_objects as go
    from plotly.offline import get_plotlyjs

    from ..fonts import HANGUL_FAMILY, has_hangul, hangul_face
    from ..i18n import language

    spec = fig.to_json()
    words = json.dumps(json.loads(spec), ensure_ascii=False)  # its text, unescaped
    face, ready = "", "Promise.resolve()"
    if has_hangul(words):
        fig = go.Figure(fig)  # the caller's figure keeps its fonts
        family = fig.layout.font.family or '"Open Sans", verdana, arial, sans-serif'
        fig.update_layout(font_family=f'"{HANGUL_FAMILY}", {family}')
        face = f"<style>{hangul_face(words)}</style>"
        ready = (f"Promise.all(['', 'bold '].map((w) => document.fonts.load(w + "
                 f"'12px {HANGUL_FAMILY}', '가')))")
        spec = fig.to_json()
    spec = spec.replace("</", "<\\/")  # no text of it ends the script
    title = fig.layout.title.text or ""
    return f"""<!doctype html>
<html lang="{language()}"><head><meta charset="utf-8"><title>{html.escape(str(title))}</title>
{face}<script>{get_plotlyjs()}</script></head>
<body style="margin: 0"><div id="figure"></div>
<script>const spec = {spec};
{ready}.catch(() => null).then(() => Plotly.newPlot("figure", spec.data, spec.layout,
  {{responsive: true}}));</script>
</body></html>
"""
