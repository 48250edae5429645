"""Every script in examples/ runs, and each plotting example saves its PNG."""

import runpy
from pathlib import Path

import pytest

EXAMPLES = sorted((Path(__file__).parents[1] / "examples").glob("*.py"))


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("script", EXAMPLES, ids=lambda path: path.name)
def test_example_runs(script, tmp_path, monkeypatch):
    if script.name.startswith("plot_"):
        matplotlib = pytest.importorskip(
            "matplotlib", reason="plotting examples need matplotlib"
        )
        matplotlib.use("Agg")
    monkeypatch.chdir(tmp_path)
    runpy.run_path(str(script), run_name="__main__")
    if script.name.startswith("plot_"):
        assert list(tmp_path.glob("*.png")), f"{script.name} saved no PNG"
        matplotlib.pyplot.close("all")
