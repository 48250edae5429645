"""Displays that show how a delta-rule model trained.

:class:`LossCurveDisplay` draws loss curves (and validation curves);
:class:`DescentPathDisplay` draws the error surface over two weights with
the path gradient descent took across it. They follow scikit-learn's
Display API (``from_estimator``, ``plot``, ``ax_``, ``figure_``) and need
matplotlib (``pip install "sklearn_delta[plot]"``), which is imported only
when a plot is drawn.
"""

from sklearn_delta.plotting._descent_path import DescentPathDisplay
from sklearn_delta.plotting._loss_curve import LossCurveDisplay

__all__ = ["DescentPathDisplay", "LossCurveDisplay"]
