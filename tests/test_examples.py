"""Every script in examples/ runs without a warning, and each plotting
example saves its PNG."""

import runpy
import warnings
from pathlib import Path

import pytest

EXAMPLES = sorted((Path(__file__).parents[1] / "examples").glob("*.py"))


@pytest.mark.parametrize("script", EXAMPLES, ids=lambda path: path.name)
def test_example_runs(script, tmp_path, monkeypatch):
    if script.name.startswith("plot_"):
        matplotlib = pytest.importorskip(
            "matplotlib", reason="plotting examples need matplotlib"
        )
        matplotlib.use("Agg")
    monkeypatch.chdir(tmp_path)
    # The gallery shows what an example prints, warnings included: an example
    # must give none (a warning it means to show, it catches and prints).
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        runpy.run_path(str(script), run_name="__main__")
    assert not caught, f"{script.name} warned:\n" + "\n".join(
        warnings.formatwarning(w.message, w.category, w.filename, w.lineno)
        for w in caught
    )
    if script.name.startswith("plot_"):
        assert list(tmp_path.glob("*.png")), f"{script.name} saved no PNG"
        matplotlib.pyplot.close("all")
