"""Sphinx configuration of the sklearn_delta documentation.

Build (offline) with::

    pip install ".[docs]" && python -m sphinx -W -b html docs docs/_build/html
"""

import os
import sys
import warnings
from pathlib import Path

import sklearn_delta

# Local extensions (docs/_ext).
sys.path.insert(0, str(Path(__file__).parent / "_ext"))

# Examples run with matplotlib's file backend, and matplotlib's warnings
# about it ("Matplotlib is currently using agg ...") stay out of the pages.
os.environ.setdefault("MPLBACKEND", "Agg")
warnings.filterwarnings("ignore", category=UserWarning, message="Matplotlib")

project = "sklearn_delta"
author = "The sklearn_delta developers"
copyright = "2026, The sklearn_delta developers"
version = release = sklearn_delta.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    # Math is typeset by MathJax in the reader's browser, from the copy of
    # MathJax 3 that sphinx-mathjax-offline ships and copies into _static:
    # the pages load it from there, never from a CDN.
    "sphinx.ext.mathjax",
    "sphinx-mathjax-offline",
    # Fails the build if a built page would load anything from the network.
    "offline_pages",
]

# Straight quotes and dots, as written: the HTML repr of an estimator links
# each parameter to its entry here by a text fragment that quotes the
# docstring's "name : type" line (sklearn.utils._repr_html), so the page
# must show the type exactly as the docstring has it.
smartquotes = False

templates_path = ["_templates"]
exclude_patterns = [
    "_build",
    "auto_examples/*.ipynb",
    "auto_examples/*.py",
    # Computation-time pages that older builds left behind (see below).
    "sg_execution_times.rst",
    "auto_examples/sg_execution_times.rst",
]
root_doc = "index"

# numpydoc: one page per class (autosummary), no per-member stub pages.
autosummary_generate = True
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False

# The gallery: every script in examples/ runs and its output is shown.
sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r".*\.py",
    "download_all_examples": False,
    "within_subsection_order": "FileNameSortKey",
    "remove_config_comments": True,
    "show_memory": False,
    "plot_gallery": "True",
    # No computation-time pages: sphinx-gallery makes their tables sortable
    # with jQuery and DataTables loaded from CDNs, and the pages must work
    # offline. (The build prints the times.)
    "write_computation_times": False,
}

html_theme = "pydata_sphinx_theme"
html_title = f"sklearn_delta {version}"
html_static_path = []
html_theme_options = {
    "navigation_with_keys": False,
    "show_prev_next": True,
    "secondary_sidebar_items": ["page-toc"],
    # Two levels: on an API page, the class and its methods.
    "show_toc_level": 2,
}
# ... named "fit()", not "DeltaRuleRegressor.fit()", to fit the sidebar.
toc_object_entries_show_parents = "hide"
