"""Figures: each is checked on the numbers it draws (against closed forms and the engine) and
on its rendering (the file exists, has the expected size, and is not blank)."""

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")

from gdlab import plot, studies  # noqa: E402
from gdlab.engine import run  # noqa: E402
from gdlab.errors import ConfigError  # noqa: E402


def rendered(p, tmp_path, name="fig.png", min_colors=20):
    """Save, reload, and check the picture is a real one."""
    from matplotlib.image import imread

    path = p.save(tmp_path / name)
    assert path.exists() and path.stat().st_size > 5_000
    img = imread(path)
    assert img.shape[0] > 300 and img.shape[1] > 300
    colors = np.unique((img[..., :3] * 255).astype(np.uint8).reshape(-1, 3), axis=0)
    assert len(colors) >= min_colors, "the picture is (nearly) blank"
    return img


def test_field_arrows_are_minus_the_gradient(tmp_path):
    p = plot.field("x0**2 + x1**2", domain=[(-4, 4), (-4, 4)], arrows=9)
    X, Y, U, V = (p.data[k] for k in ("X", "Y", "U", "V"))
    np.testing.assert_allclose(U, -2 * X, atol=1e-12)  # ∇(x0² + x1²) = (2x0, 2x1)
    np.testing.assert_allclose(V, -2 * Y, atol=1e-12)
    np.testing.assert_allclose(p.data["norm"], 2 * np.hypot(X, Y), atol=1e-12)
    rendered(p, tmp_path)
    unit = plot.field("himmelblau", arrows=7, normalize=True)
    lengths = np.hypot(unit.data["U"], unit.data["V"])
    np.testing.assert_allclose(lengths[unit.data["norm"] > 0], 1.0, atol=1e-12)


@pytest.mark.parametrize("f, points", [
    ("himmelblau", [[1.0, 1.0], [-2.0, -1.0], [3.5, -3.0]]),
    ("x**2/20 + y**2", [[3.0, 1.0], [-5.0, -2.0]]),
    ("sin(x)*cos(y) + x/3", [[0.5, 0.2], [1.0, -1.0]]),
])
def test_level_curve_tangent_is_perpendicular_to_the_gradient(tmp_path, f, points):
    p = plot.level_sets(f, points)
    assert np.max(np.abs(p.data["cosines"])) < 1e-8
    # the tangent really follows the level curve: f changes only to second order along it
    from gdlab.calculus import resolve

    obj = resolve(f, 2)
    for x, t in zip(p.data["points"], p.data["tangents"]):
        h = 1e-4
        assert abs(obj.value(x + h * t) - obj.value(x)) < 1e-6 * max(1, abs(obj.value(x)))
    rendered(p, tmp_path)


def test_directional_derivative_extremes_follow_the_gradient(tmp_path):
    p = plot.directional("x0**2 + x1**2", [3, 4])
    g = np.array([6.0, 8.0])
    values, theta = p.data["values"], p.data["theta"]
    assert values.max() == pytest.approx(10.0, rel=1e-4)
    assert values.min() == pytest.approx(-10.0, rel=1e-4)
    assert p.data["theta_max"] == pytest.approx(np.arctan2(8, 6))
    for tz in p.data["theta_zero"]:
        assert np.dot(g, [np.cos(tz), np.sin(tz)]) == pytest.approx(0, abs=1e-12)
    np.testing.assert_allclose(values, 6 * np.cos(theta) + 8 * np.sin(theta), atol=1e-12)
    rendered(p, tmp_path)


def test_surface_path_lies_on_the_surface(tmp_path):
    r = run("x0**2 + x1**2", [[-3.0, 4.0]], "gd:0.1", max_steps=20, record="all")
    path = r.run_path(0, 0)
    p = plot.surface("x0**2 + x1**2", paths=[path], domain=[(-4, 4), (-4, 4)])
    np.testing.assert_allclose(p.data["path_heights"][0], np.sum(path**2, axis=1))
    np.testing.assert_allclose(p.data["Z"], p.data["X"] ** 2 + p.data["Y"] ** 2)
    rendered(p, tmp_path)


def test_learning_rates_shows_all_four_regimes(tmp_path):
    p = plot.learning_rates(studies.learning_rates("ill_conditioned", [-7.0, 2.0]))
    assert p.data["bound"] == pytest.approx(1.0)
    assert p.data["labels"][2] == "oscillating" and p.data["labels"][3] == "diverged"
    assert p.data["labels"][0] == "slow"
    rendered(p, tmp_path)


def test_traps_are_labelled_by_their_diagnoses(tmp_path):
    p = plot.traps(studies.traps())
    assert p.data["labels"] == [["local_minimum", "global_minimum"],
                                ["plateau", "global_minimum"], ["saddle", "unbounded"]]
    rendered(p, tmp_path, "traps.png")


def test_compare_runs_every_optimizer_from_the_same_start(tmp_path):
    p = plot.compare(studies.comparison("ill_conditioned", [-7.0, 2.0]))
    r = p.data["result"]
    assert r.shape == (4, 1)
    assert len({tuple(r.run_path(k, 0)[0]) for k in range(4)}) == 1
    assert len({tuple(r.final[k, 0]) for k in range(4)}) == 4
    rendered(p, tmp_path)


def test_basin_colours_match_the_engine_end_points(tmp_path):
    p = plot.basins(studies.basin_map("himmelblau", n=40, lr=0.01, max_steps=3000))
    labels, minima, final = p.data["labels"], p.data["minima"], p.data["final"]
    assert set(np.unique(labels)) <= {-2, -1, 0, 1, 2, 3}
    assert len(np.unique(labels[labels >= 0])) == 4  # all four minima have a basin
    for (i, j) in [(0, 0), (39, 39), (5, 30), (30, 5), (20, 20)]:
        if labels[i, j] >= 0:
            assert np.linalg.norm(final[i, j] - minima[labels[i, j]]) < 1e-4
    # the start nearest to each minimum lands in that minimum's basin
    g = np.linspace(-5, 5, 40)
    for m, loc in enumerate(minima):
        i, j = np.argmin(np.abs(g - loc[1])), np.argmin(np.abs(g - loc[0]))
        assert labels[i, j] == m
    rendered(p, tmp_path, min_colors=5)


def test_basins_of_a_formula_cluster_the_end_points():
    p = plot.basins(studies.basin_map("x**4 - 3*x**2 + x + y**2", domain=[(-2, 2), (-1, 1)],
                                      n=20, lr=0.01))
    assert len(p.data["minima"]) == 2
    assert sorted(np.round(p.data["minima"][:, 0], 3)) == [-1.301, 1.131]


def test_loss_curves_and_formats(tmp_path):
    r = run("himmelblau", [[0.0, 0.0], [1.0, 1.0]], ["gd:0.01", "adam:0.1"], max_steps=200,
            record="all")
    p = plot.loss(r)
    rendered(p, tmp_path)
    for suffix in (".svg", ".pdf"):
        path = p.save(tmp_path / f"loss{suffix}")
        assert path.stat().st_size > 3_000
    with pytest.raises(ConfigError, match="must end in"):
        p.save(tmp_path / "loss.gif")


def test_maps_need_two_variables():
    with pytest.raises(ConfigError, match="2 variables"):
        plot.field("x + y + z")


@pytest.mark.parametrize("argv", [
    ["plot", "field", "x0**2 + x1**2", "--arrows", "9"],
    ["plot", "level-sets", "himmelblau", "--at", "1,1", "--at", "-2,-1"],
    ["plot", "directional", "sphere", "--at", "-3,4"],
    ["plot", "surface", "sphere", "--start", "-3,4", "--lr", "0.1"],
    ["plot", "learning-rates", "ill_conditioned", "--start", "-7,2"],
    ["plot", "traps"],
    ["plot", "compare", "ill_conditioned", "--start", "-7,2", "--optimizers", "gd:0.9,adam:0.3"],
    ["plot", "basins", "himmelblau", "--grid", "30"],
    ["plot", "loss", "himmelblau", "--start", "0,0", "--optimizers", "gd:0.01,adam:0.1"],
    ["plot", "partials", "sphere", "--at", "1,-1"],
    ["plot", "tangent-plane", "sphere", "--at", "1,-1"],
    ["plot", "steepest-path", "himmelblau", "--start", "0,0"],
    ["plot", "lr-map", "himmelblau", "--lrs", "1e-3:0.1:5", "--steps", "100"],
    ["plot", "animate", "sphere", "--start", "-3,4", "--lr", "0.1", "--steps", "10"],
    ["plot", "interactive", "himmelblau", "--start", "0,0"],
])
def test_plot_command_writes_each_kind(tmp_path, capsys, argv):
    from gdlab.cli import main

    suffix = {"animate": ".gif", "interactive": ".html"}.get(argv[1], ".png")
    out = tmp_path / f"{argv[1]}{suffix}"
    assert main([*argv, "-o", str(out)]) == 0
    assert capsys.readouterr().out.strip() == f"wrote {out}"
    assert out.stat().st_size > 5_000


@pytest.mark.parametrize("argv, message", [
    (["plot", "field"], "needs a FORMULA_OR_NAME"),
    (["plot", "directional", "sphere"], "needs --at"),
    (["plot", "field", "sphere", "--domain", "1:0,2:3"], "--domain"),
    (["plot", "field", "sphere", "-o", "x.gif"], "must end in"),
    (["plot", "field", "x + y + z"], "2 variables"),
    (["plot", "nosuch", "sphere"], "Invalid value"),
    # an option the kind does not use is an error naming the kind, never silently dropped
    (["plot", "field", "sphere", "--start", "1,1"], "plot field does not use --start"),
    (["plot", "traps", "--steps", "10"], "plot traps does not use --max-steps/--steps"),
    (["plot", "lr-map", "himmelblau", "--lr", "0.1"], "plot lr-map does not use --lr"),
    (["plot", "lr-map", "himmelblau", "--optimizer", "adam:0.5"], "without one"),
    (["plot", "lr-map", "himmelblau", "--optimizer", "adam", "--momentum", "0.3"],
     "adam has no hyper-parameter 'momentum'"),
    (["plot", "basins", "himmelblau", "--optimizers", "gd,adam"],
     "plot basins does not use --optimizers"),
    (["plot", "surface", "rosenbrock", "--start", "1,1,1"], "3 coordinates"),
    (["plot", "animate", "sphere", "--start", "1,2,3"], "3 coordinates"),
])
def test_plot_command_bad_input(capsys, argv, message):
    from gdlab.cli import main

    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err and err.count("\n") == 1


def test_partials_are_the_slopes_of_the_slices(tmp_path):
    p = plot.partials("x**2 * y + sin(y)", [1.5, -1.0])
    np.testing.assert_allclose(p.data["slopes"], [2 * 1.5 * -1.0, 1.5**2 + np.cos(-1.0)])
    xs, fx = p.data["x_slice"]
    i = np.argmin(np.abs(xs - 1.5))
    slope = (fx[i + 1] - fx[i - 1]) / (xs[i + 1] - xs[i - 1])
    assert slope == pytest.approx(2 * xs[i] * -1.0, rel=1e-3)  # the slice is f(x, −1)
    rendered(p, tmp_path)


def test_tangent_plane_touches_to_second_order(tmp_path):
    p = plot.tangent_plane("exp(x/3) * cos(y)", [0.5, 0.3])
    gap = p.data["gap"]
    assert gap[1] / gap[0] == pytest.approx(0.25, rel=0.05)  # halving r quarters the gap
    assert gap[2] / gap[1] == pytest.approx(0.25, rel=0.05)
    rendered(p, tmp_path)


@pytest.mark.parametrize("f, start", [("ill_conditioned", [-7.0, 2.0]),
                                      ("himmelblau", [0.5, -0.5]), ("rosenbrock", [-1.2, 1.0])])
def test_steepest_path_is_tangent_to_minus_the_gradient(tmp_path, f, start):
    p = plot.steepest_path(studies.gradient_flow(f, start))
    assert np.min(p.data["alignment"]) > 1 - 1e-6
    flow = p.data["flow"]
    from gdlab.calculus import resolve

    values = resolve(f, 2).value(flow)
    assert np.all(np.diff(values) <= 1e-12)  # always downhill
    rendered(p, tmp_path)


def test_lr_map_matches_the_bound_on_a_quadratic(tmp_path):
    p = plot.lr_map(studies.lr_map("x**2/20 + y**2", axis=1, at=3.0, starts=8,
                                   lrs=[0.1, 0.5, 0.9, 0.99, 1.01, 1.2]))
    labels = p.data["labels"]
    np.testing.assert_allclose(p.data["bounds"], 1.0)
    lrs = p.data["lrs"]
    assert np.all(labels[lrs > 1.1] == "diverged")  # |1 − 2·lr| = 1.4 per step
    assert np.all(labels[(lrs > 1.0) & (lrs < 1.1)] == "oscillating")  # 1.02^300: not yet
    assert not np.any(labels[lrs < 1.0] == "diverged")
    rendered(p, tmp_path, min_colors=4)


def test_animation_gif(tmp_path):
    from PIL import Image

    r = run("ill_conditioned", [[-7.0, 2.0]], ["gd:0.95", "adam:0.3"], max_steps=30, record="all")
    path = plot.animate(r, tmp_path / "run.gif")
    with Image.open(path) as im:
        assert im.n_frames == 31
    with pytest.raises(ConfigError, match="gif or .mp4"):
        plot.animate(r, tmp_path / "run.png")


def test_interactive_figure_is_offline_html_with_every_path(tmp_path):
    pytest.importorskip("plotly")
    r = run("himmelblau", [[0.0, 0.0], [-1.0, 4.0]], ["gd:0.01", "adam:0.1"], max_steps=50,
            record="all")
    fig = plot.interactive(None, r)
    kinds = [t.type for t in fig.data]
    assert kinds.count("scatter") == 4 + 1  # four paths on the map, and the known minima
    assert kinds.count("scatter3d") == 4 and "surface" in kinds and "contour" in kinds
    path0 = next(t for t in fig.data if t.type == "scatter" and "gd" in t.name)
    np.testing.assert_array_equal(np.column_stack([path0.x, path0.y]), r.run_path(0, 0))
    assert fig.layout.yaxis.scaleanchor == "x" and fig.layout.yaxis.scaleratio == 1  # equal
    out = plot.write_html(fig, tmp_path / "run.html")
    page = out.read_text(encoding="utf-8")
    assert out.stat().st_size > 1_000_000  # plotly.js is inside
    import re

    assert not re.search(r"<script[^>]+src=\"https?://", page)


# --- what a student sees: no false line, nothing hidden, every mark explained -----------------


def _texts(fig) -> list[str]:
    """Every string drawn on a figure: titles, labels, annotations, legend entries."""
    fig.canvas.draw()
    return [t.get_text() for t in fig.findobj(matplotlib.text.Text) if t.get_text().strip()]


def test_a_diverging_path_is_drawn_as_it_went_and_marked_where_it_leaves():
    """x0² + x1² at lr 1.5 from (−3, 4): x ← −2x, so the run visits (−3, 4), (6, −8), …; the
    figure draws the start, then the segment towards (6, −8) only to the edge of the view, with
    an arrow there — never a point the run did not visit (clipping each coordinate made
    (1e6, −1e6) out of (−1.5e6, 1.5e6))."""
    p = plot.learning_rates(studies.learning_rates("x0**2 + x1**2", [-3.0, 4.0]))
    k = p.data["labels"].index("diverged")
    drawn = p.data["drawn"][k]
    path = p.data["result"].run_path(k, 0)
    np.testing.assert_array_equal(drawn["points"][:-1], path[:drawn["exit_step"]])
    a, b, edge = path[drawn["exit_step"] - 1], path[drawn["exit_step"]], drawn["exit"]
    t = (edge - a) / (b - a)  # the edge point lies on the segment the run travelled
    assert 0 < t[0] < 1 and t[0] == pytest.approx(t[1])
    assert max(abs(edge)) == pytest.approx(5.0)  # on the view's edge (sphere's ±5)
    assert any(s.startswith("leaves the view at step") for s in _texts(p.figure))


def test_four_learning_rates_on_a_round_bowl_are_not_drawn_over_each_other():
    """On x0² + x1² every gradient-descent path lies on the line to the minimum, whatever the
    rate: one map would hide three of them, so each rate gets its own map."""
    p = plot.learning_rates(studies.learning_rates("x0**2 + x1**2", [-3.0, 4.0]))
    maps = [ax for ax in p.figure.axes if ax.get_title().startswith("lr ")]
    assert len(maps) == len(p.data["lrs"])
    for ax, drawn in zip(maps, p.data["drawn"]):  # each map draws its own run only
        lines = [ln for ln in ax.get_lines() if len(ln.get_xdata()) > 1]
        np.testing.assert_array_equal(lines[0].get_xydata(), drawn["points"])
    labels = [t for t in _texts(p.figure) if t.startswith("lr ")]
    assert not any("_" in t or "**" in t for t in _texts(p.figure))
    assert any("global minimum" in t for t in labels)


def test_traps_say_when_a_run_does_not_move_and_magnify_starts_that_differ_by_001():
    p = plot.traps(studies.traps())
    texts = _texts(p.figure)
    assert any(t.startswith("did not move") for t in texts)  # the plateau run
    saddle = p.data["insets"][2]
    assert saddle is not None  # (1, 0) and (1, 0.01): an inset around both starts
    (x0, x1), (y0, y1) = saddle
    assert x0 < 1 < x1 and y0 < 0 < 0.01 < y1 and (y1 - y0) < 0.1
    assert p.data["insets"][0] is None  # starts far apart need none


def test_angles_are_true_where_they_matter():
    """Equal scales on maps that show right angles or shapes; a right angle then measures 90°
    on the picture."""
    figures = [plot.field("himmelblau", arrows=7),
               plot.level_sets("himmelblau", [[1.0, 1.0]]),
               plot.steepest_path(studies.gradient_flow("ill_conditioned", [-7.0, 2.0])),
               plot.basins(studies.basin_map("himmelblau", n=20, max_steps=300))]
    for p in figures:
        ax = p.figure.axes[0]
        p.figure.canvas.draw()
        box = ax.get_position()
        (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
        w, h = p.figure.get_size_inches()
        per_x = box.width * w / (x1 - x0)
        per_y = box.height * h / (y1 - y0)
        assert per_x == pytest.approx(per_y, rel=0.01), p.kind


def test_colour_bars_are_as_tall_as_their_map_and_read_0_at_zero():
    p = plot.field("x0**2 + x1**2", domain=[(-4, 4), (-4, 4)], arrows=9)
    p.figure.canvas.draw()
    ax = p.figure.axes[0]
    bar = ax.child_axes[0]
    a, b = ax.get_window_extent(), bar.get_window_extent()
    assert b.y0 == pytest.approx(a.y0, abs=1) and b.y1 == pytest.approx(a.y1, abs=1)
    ticks = [t.get_text() for t in bar.get_yticklabels() if t.get_text()]
    assert ticks[0] == "0"


def test_every_marker_has_a_key_and_titles_use_one_minus_sign():
    p = plot.compare(studies.comparison("ill_conditioned", [-7.0, 2.0]))
    key = [t.get_text() for t in p.figure.legends[0].get_texts()]
    assert {"start", "end", "global minimum"} <= set(key)
    assert all(label in key for label in p.data["labels"])  # one legend for both panels
    level = plot.level_sets("himmelblau", [[1.0, 1.0], [-2.0, -1.0]])
    key = [t.get_text() for t in level.figure.legends[0].get_texts()]
    assert {"point", "∇f", "tangent of the level curve", "global minimum", "saddle point",
            "local maximum"} <= set(key)
    titles = [t for t in _texts(p.figure) + _texts(level.figure) if "(" in t]
    assert not any("-" in t.split("(")[1][:2] for t in titles)  # (−7, 2), not (-7, 2)


def test_directional_marks_the_notes_u_with_its_value():
    p = plot.directional("x0**2 + x1**2", [3, 4], u=[1, 1])
    assert p.data["value_u"] == pytest.approx(14 / np.sqrt(2))  # (6 + 8)/√2 = 9.9
    assert p.data["theta_u"] == pytest.approx(np.pi / 4)
    assert any("D_u f = 9.899" in t for t in _texts(p.figure))


def test_level_sets_title_says_what_was_checked_in_words():
    p = plot.level_sets("x0**2 + x1**2", [[3.0, 4.0], [-2.0, 1.0]],
                        more=[("himmelblau", [[1.0, 1.0]])])
    assert len(p.data["panels"]) == 2
    title = p.figure._suptitle.get_text()
    assert "right angle" in title and "all 3 points checked" in title


def test_an_animation_shows_the_map_large_and_the_paths_as_they_went(tmp_path):
    from PIL import Image

    r = run("himmelblau", [[0.0, 0.0]], ["gd:0.01", "adam:0.1"], max_steps=60, record="all")
    path = plot.animate(r, tmp_path / "run.gif")
    with Image.open(path) as im:
        assert im.n_frames == 61
        frames = []
        for i in (0, im.n_frames - 1):
            im.seek(i)
            frames.append(np.asarray(im.convert("RGB"), dtype=int))
    # the paths grow: the last frame differs from the first, and the map fills the frame
    assert np.abs(frames[0] - frames[1]).sum() > 0
    assert im.size[0] >= 500
    assert _map_share(frames[1]) >= 0.45


def _map_share(frame) -> float:
    """The share of a frame the map (its coloured rectangle: rows and columns more than half
    coloured) takes."""
    coloured = frame.sum(axis=2) < 740
    rows = np.flatnonzero(coloured.mean(axis=1) > 0.5)
    cols = np.flatnonzero(coloured.mean(axis=0) > 0.5)
    return (np.ptp(rows) * np.ptp(cols)) / (frame.shape[0] * frame.shape[1])


def test_a_wide_map_fills_its_animation_frame(tmp_path):
    """x²/20 + y² on (−10, 10) × (−5, 5): equal scales make the map twice as wide as tall;
    the frame is shaped to it (it was a third of a square frame, blank bands above and below)."""
    from PIL import Image

    r = run("ill_conditioned", [[-7.0, 2.0]], ["gd:0.95", "momentum:0.1"], max_steps=20,
            record="all")
    with Image.open(plot.animate(r, tmp_path / "wide.gif")) as im:
        frame = np.asarray(im.convert("RGB"), dtype=int)
    assert _map_share(frame) >= 0.45


def test_no_run_of_the_lr_map_converges_above_its_bound_line():
    """Himmelblau: a start's minimum depends on the rate; the line is the bound at the minimum
    the largest converging rate reached, so no cell above the line reached a minimum (gd
    cannot converge to a minimum with lr > 2/λmax there)."""
    m = studies.lr_map("himmelblau", max_steps=300)
    for s, bound in enumerate(m.bounds):
        above = np.asarray(m.lrs) > bound * (1 + 1e-9)
        assert not any(label.endswith("minimum") for label in m.labels[above, s]), s


def test_learning_rates_take_the_bound_at_the_minimum_the_runs_reach():
    """sin(x0)·cos(x1) + 0.1(x0² + x1²) from (2, 1): the curvature at the start gives 2/λmax =
    34, at the minimum the runs reach 1.7 — with 34 "half the bound" diverged. The bound is
    λmax of the Hessian at that minimum (a closed-form check: eigenvalues of the exact
    Hessian there)."""
    from gdlab.calculus import resolve

    s = studies.learning_rates("sin(x0)*cos(x1) + 0.1*(x0**2+x1**2)", [2.0, 1.0])
    obj = resolve("sin(x0)*cos(x1) + 0.1*(x0**2+x1**2)", 2)
    assert np.linalg.norm(obj.gradient(s.bound_at)) < 1e-5
    assert s.bound == pytest.approx(2 / np.linalg.eigvalsh(obj.hessian(s.bound_at))[-1])
    assert s.labels[1] in ("minimum", "global_minimum")  # half the bound converges
    p = plot.learning_rates(s)
    (x0, x1), (y0, y1) = p.figure.axes[0].get_xlim(), p.figure.axes[0].get_ylim()
    assert x0 <= s.bound_at[0] <= x1 and y0 <= s.bound_at[1] <= y1  # the minimum is in view


def test_a_diverging_run_does_not_stretch_the_map():
    """Himmelblau from (8, −7): gd at 0.01 diverges, Adam does not; the map stays around the
    function and Adam's path (gd leaves it with an arrow), not −25000…0."""
    p = plot.compare(studies.comparison("himmelblau", [8.0, -7.0], ["gd:0.01", "adam:0.5"]))
    (x0, x1), (y0, y1) = p.figure.axes[0].get_xlim(), p.figure.axes[0].get_ylim()
    assert x1 - x0 < 30 and y1 - y0 < 30
    assert p.data["drawn"][0]["exit"] is not None and p.data["drawn"][1]["exit"] is None
    q = plot.steepest_path(studies.gradient_flow("x0**2 + 3*x1**2", [2.0, 2.0], lr=0.4))
    (x0, x1), (y0, y1) = q.figure.axes[0].get_xlim(), q.figure.axes[0].get_ylim()
    assert x1 - x0 < 10 and y1 - y0 < 10
    assert any("leaves the view at step 1" in t for t in _texts(q.figure))


def test_surface_partials_and_interactive_name_what_they_draw():
    r = run("x0**2 + x1**2", [[-3.0, 4.0]], "gd:0.1", max_steps=20, record="all")
    s = plot.surface("x0**2 + x1**2", paths=[r.run_path(0, 0)], labels=["gd, lr 0.1,"])
    assert s.figure.axes[0].get_title() == "The graph of f = x0² + x1²"  # not code syntax
    key = [t.get_text() for t in s.figure.legends[0].get_texts()]
    assert {"start", "end"} <= set(key) and key[0].startswith("gd, lr 0.1, from (−3, 4)")
    parts = plot.partials("x0**2 + x1**2", [3.0, 4.0])
    assert parts.figure.axes[0].get_zlabel() == "f"
    many = run("himmelblau", [[0.0, 0.0]] * 9, "gd:0.01", max_steps=5, record="all")
    fig = plot.interactive(None, many)
    styles = [(t.line.color, t.line.dash) for t in fig.data if t.type == "scatter" and
              t.mode == "lines+markers"]
    assert len(styles) == 9 and len(set(styles)) == 9  # nine runs, nine looks


def test_figures_of_runs_key_every_marker():
    for p in (plot.traps(studies.traps()),
              plot.learning_rates(studies.learning_rates("x0**2 + x1**2", [-3.0, 4.0]))):
        key = [t.get_text() for t in p.figure.legends[0].get_texts()]
        assert key == p.data["key"]
        assert {"start", "end", "global minimum"} <= set(key), p.kind
    assert {"leaves the view", "local minimum", "saddle point"} <= set(
        plot.traps(studies.traps()).data["key"])


def test_a_loss_curve_that_reaches_zero_says_so():
    # lr 0.5 on x0² + x1² lands on the minimum in one step: f = 0, which a log axis cannot
    # show; the curve stops on the floor and the figure says f = 0 exactly
    p = plot.learning_rates(studies.learning_rates("x0**2 + x1**2", [-3.0, 4.0]))
    assert "f = 0 exactly at step 1" in _texts(p.figure)
    assert all(t != "f f" for t in _texts(p.figure))


def _drawn_texts(fig):
    """Every text a reader sees, with its box on the canvas: tick labels of ticks in view
    only (matplotlib keeps labels for ticks beyond the limits, undrawn); 3-D and polar tick
    labels left out (they sit on their own grids)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    hidden = set()
    for ax in fig.axes:
        if ax.name != "rectilinear":
            hidden.update(id(t) for axis in ax._axis_map.values()
                          for tick in axis.get_major_ticks() for t in (tick.label1, tick.label2))
            continue
        to_axes = ax.transScale + ax.transLimits  # data → axes fraction (log scales too)
        for i, axis in enumerate((ax.xaxis, ax.yaxis)):
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                where = to_axes.transform([[tick.get_loc(), tick.get_loc()]])[0][i]
                if not -1e-6 <= where <= 1 + 1e-6:
                    hidden.update({id(tick.label1), id(tick.label2)})
    out = []
    for t in fig.findobj(matplotlib.text.Text):
        if t.get_visible() and t.get_text().strip() and id(t) not in hidden:
            box = t.get_window_extent(renderer)
            if box.width >= 1:
                out.append((t.get_text(), box))
    return out


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_no_two_labels_overlap_on_any_figure_of_the_demo(monkeypatch, tmp_path, lang):
    """Every figure the demo draws, by the commands it prints, in each language: no text drawn
    over another (more than 2 px each way) — titles, axis and tick labels, notes, keys."""
    import itertools
    import shlex

    from gdlab import demo, i18n
    from gdlab.cli.group import main
    from gdlab.plot import common

    figures = {}
    save = common.Plot.save
    monkeypatch.setattr(common.Plot, "save", lambda self, path, dpi=150: (
        figures.__setitem__(str(path), self.figure), save(self, path, dpi))[1])
    for section in demo.SECTIONS:
        for command in section.commands:
            argv = [str(tmp_path / a) if a.endswith(".png") else a
                    for a in shlex.split(command)[1:]]
            if argv[0] == "plot" and argv[1] != "animate":
                with i18n.use(lang):
                    assert main(argv) == 0, command
    assert len(figures) >= 15
    for path, fig in figures.items():
        texts = _drawn_texts(fig)
        clashes = [(a, b) for (a, ba), (b, bb) in itertools.combinations(texts, 2)
                   if min(ba.x1, bb.x1) - max(ba.x0, bb.x0) > 2
                   and min(ba.y1, bb.y1) - max(ba.y0, bb.y0) > 2]
        assert not clashes, (path, clashes[:3])
        hangul = any("\uac00" <= c <= "\ud7a3" for t, _ in texts for c in t)
        assert hangul == (lang == "ko"), path  # the figure speaks the language in use


def test_the_gradient_flow_is_not_hidden_under_the_descent_path():
    p = plot.steepest_path(studies.gradient_flow("x0**2 + x1**2", [-3.0, 4.0], lr=0.1))
    ax = p.figure.axes[0]
    flow = next(ln for ln in ax.get_lines() if ln.get_label().startswith("gradient flow"))
    steps = next(ln for ln in ax.get_lines() if ln.get_label().startswith("gradient descent"))
    # the descent is drawn as dots on top of the flow's line, not as a line over it
    assert steps.get_linestyle() == "None" and steps.get_marker() not in ("", "None")
    assert flow.get_linewidth() >= 2 and flow.get_linestyle() == "-"
    np.testing.assert_allclose(flow.get_xydata()[0], [-3.0, 4.0])


def test_learning_rates_on_a_quadratic_take_the_bound_at_its_one_minimum_without_integrating():
    import subprocess
    import sys

    f = "(x0 - 1)**2 + 3*(x1 + 2)**2 + x0*x1"  # Hessian [[2, 1], [1, 6]]: one minimum
    s = studies.learning_rates(f, [4.0, 4.0])
    np.testing.assert_allclose(s.bound_at, np.linalg.solve([[2, 1], [1, 6]], [2, -12]),
                               rtol=1e-12)
    assert s.bound == pytest.approx(2 / np.linalg.eigvalsh([[2, 1], [1, 6]])[-1])
    code = ("import sys; from gdlab import studies; studies.learning_rates(sys.argv[1], "
            "[4.0, 4.0]); print('scipy.integrate' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code, f], capture_output=True, text=True,
                         timeout=120)
    assert out.stdout.strip() == "False", out.stderr  # no ODE solver loaded for it


@pytest.mark.parametrize("kind, point", [("level-sets", "0,0"), ("directional", "0,0")])
def test_a_critical_point_is_refused_where_a_figure_needs_a_direction(capsys, kind, point):
    from gdlab.cli import main

    code = main(["plot", kind, "x**2 + y**2", "--at", point, "-o", "never.png"])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("error: ∇f = (0, 0) at (0, 0), a critical point")


def test_the_default_lr_map_line_is_off_a_line_of_symmetry():
    """x² + 10y² on its default symmetric domain: from (x, 0) the steps never leave y = 0, so
    every rate up to 2/2 = 1 would converge, 10× above the bound 2/λmax = 2/20 = 0.1. The
    default line lies off the middle: there y shrinks by |1 − 20·lr| per step, and no rate
    above 0.1 reaches the minimum."""
    m = studies.lr_map("x**2 + 10*y**2", starts=12, lrs=np.geomspace(0.01, 0.5, 12),
                       max_steps=300)
    lo, hi = studies.domain_for(m.objective)[1]
    assert m.fixed != 0.0 and m.fixed == pytest.approx(lo + studies.LR_MAP_LINE * (hi - lo))
    above = np.asarray(m.lrs) > 0.1 * (1 + 1e-9)
    assert above.any() and not any(label.endswith("minimum") for label in m.labels[above].ravel())
    assert any(label.endswith("minimum") for label in m.labels[~above].ravel())


def test_compare_on_a_typed_formula_subtracts_its_true_minimum():
    """x² + 10y² (minimum 0 at the origin, closed form): gd at lr 0.001 is still at f ≈ 3 after
    50 steps, adam lower. f* is the minimum, not the lowest value a run recorded — with that,
    the best run's last value read "f − f* = 0 exactly"."""
    s = studies.comparison("x**2 + 10*y**2", [1.5, 1.0], ["gd:0.001", "adam:0.001"],
                           max_steps=50)
    assert 0.0 <= s.best <= 1e-12
    p = plot.compare(s)
    gap = p.figure.axes[1]
    assert not any("exactly" in t.get_text() for t in gap.texts)
    assert gap.get_title() == "f − f* per step (log scale)"
    for line, k in zip(gap.get_lines(), range(2)):
        np.testing.assert_allclose(line.get_ydata(), s.result.values[:51, k, 0] - s.best)


def test_compare_where_f_has_no_minimum_draws_f_itself():
    """x² − y² falls without bound along y: no f*, so the curves are f on a symmetric log axis,
    and the title says so (it had said "f − f* … (log scale)")."""
    s = studies.comparison("x**2 - y**2", [1.0, 0.01], ["gd:0.1", "adam:0.01"])
    assert s.best is None
    gap = plot.compare(s).figure.axes[1]
    assert gap.get_yscale() == "symlog" and "f − f*" not in gap.get_title()
    assert gap.get_ylabel() == "f"


@pytest.mark.parametrize("draw", [
    lambda: plot.directional("abs(x) + abs(y)", [0.0, 1.0]),
    lambda: plot.partials("abs(x) + abs(y)", [0.0, 1.0]),
    lambda: plot.level_sets("abs(x) + abs(y)", [[0.0, 1.0], [1.0, 0.5]]),
])
def test_figures_of_the_gradient_refuse_a_kink_as_the_calculus_does(draw):
    """|x| + |y| at (0, 1): the one-sided slopes along x are +1 and −1, so there is no
    gradient — D_u f = |cos θ| + sin θ is no dot product with any vector. `gdlab grad` refuses
    the point; the figures drew ∇f = (0, 1) there (sign(0) = 0)."""
    from gdlab import calculus
    from gdlab.errors import PointError

    h = 1e-6
    f = lambda x, y: abs(x) + abs(y)  # noqa: E731
    assert (f(h, 1) - f(0, 1)) / h == pytest.approx(1) == (f(-h, 1) - f(0, 1)) / h
    with pytest.raises(PointError, match="not differentiable at"):
        calculus.gradient("abs(x) + abs(y)", [0.0, 1.0])
    with pytest.raises(PointError, match=r"not differentiable at \(0, 1\)"):
        draw()


def test_a_surface_holds_its_domain_and_draws_a_diverging_run_to_its_edge():
    """gd at lr 0.12 on x² + 10y² from (1.5, 1): y ← (1 − 20·0.12)·y = −1.4·y, so |y| =
    1.96 after 2 steps and 2.74 after 3 — the run leaves −2:2 × −2:2 at step 3. The surface
    keeps that domain (it had stretched to the run's 7e5 and drawn no surface to see) and the
    path stops at the edge."""
    path = np.array([[1.5 * 0.76**k, (-1.4) ** k] for k in range(41)])
    p = plot.surface("x**2 + 10*y**2", paths=[path], domain=[(-2, 2), (-2, 2)])
    ax = p.figure.axes[0]
    assert ax.get_xlim() == (-2, 2) and ax.get_ylim() == (-2, 2)
    line = next(line for line in ax.get_lines() if "leaves the view at step 3" in
                line.get_label())
    xs, ys, _ = line.get_data_3d()
    assert len(xs) == 4 and np.all(np.abs(ys) <= 2 + 1e-12) and abs(ys[-1]) == pytest.approx(2)


def test_a_loss_curve_that_stops_because_its_run_diverged_says_so():
    """gd at lr 0.15 on x² + 10y²: y ← (1 − 20·0.15)·y = −2y, so f grows 4× a step until the
    engine stops the run; its curve ends there, and the key says it diverged (at lr 0.05, |1 −
    20·0.05| = 0: no such note)."""
    r = run("x**2 + 10*y**2", [[1.5, 1.0]], ["gd:0.05", "gd:0.15"], max_steps=100,
            record="all")
    keys = [line.get_label() for line in plot.loss(r).figure.axes[0].get_lines()]
    assert r.status[1, 0] == "diverged" and r.status[0, 0] != "diverged"
    assert keys[1].endswith(f": diverged, {int(r.steps[1, 0])} steps")
    assert "diverged" not in keys[0]


def test_an_lr_map_draws_each_rate_in_its_own_row_whatever_the_spacing():
    """Rates 0.3, 0.01, 0.15, 0.24, 0.26 (unsorted, unevenly spaced): each row of cells spans
    its own rate and no other (the edges had been log-spaced by the first two rates, so on
    (x² − 1)² + (y² − 1)² the oscillating row of 0.26 was drawn from 0.14 — below the bound
    2/8 = 0.25 drawn across it)."""
    m = studies.lr_map("(x**2-1)**2 + (y**2-1)**2", lrs=[0.3, 0.01, 0.15, 0.24, 0.26],
                       starts=6, max_steps=300, domain=[(-2, 2), (-2, 2)])
    assert list(m.lrs) == [0.01, 0.15, 0.24, 0.26, 0.3]
    mesh = plot.lr_map(m).figure.axes[0].collections[0]
    ys = np.unique(mesh.get_coordinates()[..., 1])
    for lr, lo, hi in zip(m.lrs, ys[:-1], ys[1:]):
        assert lo < lr < hi
    assert 0.24 < np.sqrt(0.24 * 0.26) < 0.26  # the row edge between them: at 0.2498
