"""The HTML repr's "?" and parameter links lead to a page and an entry of our docs.

scikit-learn's HTML repr links an estimator to
``_doc_link_template.format(estimator_name=...)`` and each parameter and
fitted attribute to that page plus a text fragment,
``#:~:text=<name>,-<type>``, where ``<type>`` is the rest of the
docstring's ``<name> : <type>`` line (``sklearn.utils._repr_html.common``).
A browser scrolls to the first place where the page shows ``<name>``
followed by ``<type>``: numpydoc's ``<dt><strong>name</strong><span
class="classifier">type</span></dt>``.

The checks here need no docs build (they run with the test dependencies):
the page is the one autosummary writes for ``docs/api.rst``, and each
fragment quotes its own entry's type. When Sphinx and numpydoc are there,
the API pages are also built, with the docs' own settings, and every link
is looked up in them.
"""

import ast
import re
import runpy
import warnings
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import numpy as np
import pytest
from sklearn.externals._numpydoc import docscrape

from sklearn_delta import DeltaRuleClassifier, DeltaRuleRegressor

DOCS = Path(__file__).parents[1] / "docs"
# Where .readthedocs.yaml publishes the docs' HTML output.
PUBLISHED_AT = "https://sklearn-delta.readthedocs.io/en/latest/"

ESTIMATORS = [DeltaRuleRegressor, DeltaRuleClassifier]


def fitted(estimator_class):
    """A fitted estimator with every fitted attribute a fit can set."""
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 3))
    y = X[:, 0] if estimator_class is DeltaRuleRegressor else X[:, 0] > 0
    estimator = estimator_class(early_stopping=True, record_weights=True, max_iter=3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # short fit: ConvergenceWarning
        return estimator.fit(X, y)


def repr_links(estimator):
    """The page link and the ``{name: (text start, suffix)}`` fragments."""
    links = set(re.findall(r'href="([^"]+)"', estimator._repr_html_()))
    pages = {link.split("#")[0] for link in links}
    assert len(pages) == 1, pages
    fragments = {}
    for link in links - pages:
        start, _, suffix = unquote(link.split("#:~:text=", 1)[1]).partition(",-")
        fragments[start] = suffix
    return pages.pop(), fragments


def documented_entries(estimator_class):
    """``{name: type}`` of the class docstring's Parameters and Attributes."""
    doc = docscrape.NumpyDocString(estimator_class.__doc__)
    return {entry.name: entry.type for entry in doc["Parameters"] + doc["Attributes"]}


def api_pages():
    """The pages autosummary writes for docs/api.rst, relative to the output."""
    pages, module, toctree = set(), None, None
    for line in (DOCS / "api.rst").read_text().splitlines():
        if match := re.match(r"\.\. currentmodule:: (\S+)", line):
            module = match[1]
        elif line.startswith(".. autosummary::"):
            toctree = None
        elif match := re.match(r"\s+:toctree: (\S+)", line):
            toctree = match[1]
        elif toctree and (match := re.match(r"\s{3}(\w+)$", line)):
            pages.add(f"{toctree}/{module}.{match[1]}.html")
    return pages


@pytest.fixture(scope="module", params=ESTIMATORS, ids=lambda cls: cls.__name__)
def links(request):
    return request.param, *repr_links(fitted(request.param))


# sklearn finds an entry's type with re.search(f"{name} : (.+)\n", __doc__):
# for ``t_`` it would find ``intercept_ : ...`` if that were listed earlier,
# so the estimators' docstrings list ``t_`` first. No entry is known wrong.
KNOWN_WRONG_TYPE = set()


def test_page_link_is_an_api_page(links):
    estimator_class, page, _ = links
    assert page.startswith(PUBLISHED_AT)
    assert page.removeprefix(PUBLISHED_AT) in api_pages()
    assert f"{estimator_class.__name__}.html" in page


def test_every_documented_parameter_is_linked(links):
    estimator_class, _, fragments = links
    documented = documented_entries(estimator_class)
    missing = set(estimator_class().get_params()) - set(fragments)
    assert not missing, f"parameters without a link: {missing}"
    assert set(fragments) <= set(documented)


def test_fragments_quote_their_own_entry(links):
    estimator_class, _, fragments = links
    documented = documented_entries(estimator_class)
    wrong = {
        name: (suffix, documented[name])
        for name, suffix in fragments.items()
        if suffix != documented[name].replace("`", "")
    }
    assert set(wrong) == KNOWN_WRONG_TYPE, wrong


def test_docs_show_types_as_written():
    # Smart quotes would show "auto" as “auto” and ... as …, which the
    # fragments (straight quotes and dots, from the docstring) do not name.
    conf = ast.parse((DOCS / "conf.py").read_text())
    settings = {
        target.id: node.value
        for node in conf.body
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Name)
    }
    assert "smartquotes" in settings
    assert ast.literal_eval(settings["smartquotes"]) is False


class _Entries(HTMLParser):
    """``(name, type)`` of every numpydoc entry ``<dt><strong>..<span classifier>``."""

    def __init__(self):
        super().__init__()
        self.entries = []
        self._parts = None
        self._part = None

    def handle_starttag(self, tag, attrs):
        if tag == "dt":
            self._parts = {"strong": "", "classifier": ""}
        elif self._parts is not None and tag == "strong":
            self._part = "strong"
        elif self._parts is not None and ("class", "classifier") in attrs:
            self._part = "classifier"

    def handle_endtag(self, tag):
        if tag == "dt" and self._parts is not None:
            self.entries.append((self._parts["strong"], self._parts["classifier"]))
            self._parts = None
        elif tag in {"strong", "span"}:
            self._part = None

    def handle_data(self, data):
        if self._part:
            self._parts[self._part] += data


@pytest.fixture(scope="module")
def built_api(tmp_path_factory):
    """docs/api.rst built alone, with the docs' numpydoc and autosummary settings."""
    pytest.importorskip("numpydoc", reason="the API pages are built with numpydoc")
    build_main = pytest.importorskip("sphinx.cmd.build").build_main
    conf = runpy.run_path(str(DOCS / "conf.py"))
    settings = {
        name: value
        for name, value in conf.items()
        if name.startswith(("numpydoc_", "autosummary_")) or name == "smartquotes"
    }
    source = tmp_path_factory.mktemp("api_source")
    (source / "conf.py").write_text(
        "extensions = ['sphinx.ext.autodoc', 'sphinx.ext.autosummary', 'numpydoc']\n"
        f"templates_path = [{str(DOCS / '_templates')!r}]\n"
        + "".join(f"{name} = {value!r}\n" for name, value in settings.items())
    )
    (source / "index.rst").write_text((DOCS / "api.rst").read_text())
    output = tmp_path_factory.mktemp("api_html")
    # Not -W: the docstrings' links into the user guide have nowhere to go.
    status = build_main(["-q", "-b", "html", str(source), str(output)])
    assert status == 0, "the API pages did not build"
    return output


def test_links_resolve_in_the_built_api_pages(links, built_api):
    _, page, fragments = links
    html = built_api / page.removeprefix(PUBLISHED_AT)
    assert html.is_file(), f"{page} names no page of the docs"
    parser = _Entries()
    parser.feed(html.read_text(encoding="utf-8"))
    shown = set(parser.entries)
    unmatched = {
        name: suffix
        for name, suffix in fragments.items()
        if (name, suffix) not in shown and name not in KNOWN_WRONG_TYPE
    }
    assert not unmatched, f"fragments the page does not show: {unmatched}"
    # The known wrong ones really miss (the day they match, drop them above).
    assert all((name, fragments[name]) not in shown for name in KNOWN_WRONG_TYPE)
