"""pytest settings for the doctests of the package's modules.

Modules whose optional dependency is missing are not collected (their
doctests need it); the tests under tests/ skip with the reason instead.
"""

import importlib.util

collect_ignore = []
if importlib.util.find_spec("matplotlib") is None:
    collect_ignore += ["plotting/_loss_curve.py", "plotting/_descent_path.py"]
if any(importlib.util.find_spec(name) is None for name in ("dask", "distributed")):
    collect_ignore.append("dask.py")
if any(importlib.util.find_spec(name) is None for name in ("skl2onnx", "onnxruntime")):
    collect_ignore.append("onnx.py")
