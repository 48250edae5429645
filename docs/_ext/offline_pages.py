"""Fail the HTML build when a built page would load anything from the network.

The documentation must work offline: a page may link to other sites (an
``<a href="https://...">`` is only followed when the reader clicks it), but
everything a browser fetches by itself to show the page (scripts, style
sheets, fonts, icons, images, frames) must come from the build.

After an HTML build this scans every ``.html`` file of the output, and the
local ``.js`` and ``.css`` files that the pages load (following ``@import``
between style sheets), and raises :class:`RemoteResourceError` naming each
file and URL that would be fetched from the network.
"""

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

from sphinx.errors import SphinxError

# "http://", "https://" and protocol-relative "//host/..." all reach the network.
_REMOTE = r"(?:https?:)?//"
_CSS_REMOTE = re.compile(
    rf"""url\(\s*["']?(?P<url>{_REMOTE}[^"')\s]+)"""
    rf"""|@import\s+["'](?P<import>{_REMOTE}[^"']+)["']""",
    re.IGNORECASE,
)
# Markup held in JavaScript strings, which the script writes into a page.
_JS_REMOTE = re.compile(
    rf"""\b(?:src|srcset|data|poster)\s*=\s*\\?["'](?P<url>{_REMOTE}[^"'\\]+)"""
    rf"""|<link\b[^>]*\bhref\s*=\s*\\?["'](?P<link>{_REMOTE}[^"'\\]+)""",
    re.IGNORECASE,
)
# Attributes that make the browser fetch their URL, whatever the tag.
_LOADING_ATTRIBUTES = {"src", "srcset", "poster", "data", "background"}
# <link rel=...> values that fetch (or connect to) their href; the others
# (canonical, alternate, next, prev, search, ...) only name another page.
_LOADING_RELS = {
    "stylesheet",
    "preload",
    "modulepreload",
    "prefetch",
    "preconnect",
    "dns-prefetch",
    "prerender",
    "icon",
    "apple-touch-icon",
    "mask-icon",
    "manifest",
}


class RemoteResourceError(SphinxError):
    """A built page would load a resource from the network."""

    category = "Built page loads from the network"


def _is_remote(url):
    return re.match(_REMOTE, url.strip(), re.IGNORECASE) is not None


class _PageScanner(HTMLParser):
    """Collect the remote URLs a page loads, and the local files it loads."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.remote = []
        self.local = []
        self._inside = None  # "style" or "script" while in one

    def handle_starttag(self, tag, attrs):
        attrs = {name: value or "" for name, value in attrs}
        for name in _LOADING_ATTRIBUTES & attrs.keys():
            # srcset lists "url width" candidates separated by commas.
            urls = attrs[name].split(",") if name == "srcset" else [attrs[name]]
            for url in (candidate.strip().split(" ")[0] for candidate in urls):
                self._found(url)
        if tag == "link" and "href" in attrs:
            rels = set(attrs.get("rel", "").lower().split())
            if rels & _LOADING_RELS:
                self._found(attrs["href"])
        if "style" in attrs:
            self.remote.extend(_remote_in_css(attrs["style"]))
        if tag in {"style", "script"}:
            self._inside = tag

    def handle_endtag(self, tag):
        if tag == self._inside:
            self._inside = None

    def handle_data(self, data):
        if self._inside == "style":
            self.remote.extend(_remote_in_css(data))
        elif self._inside == "script":
            self.remote.extend(_remote_in_js(data))

    def _found(self, url):
        if _is_remote(url):
            self.remote.append(url)
        elif url and not url.startswith(("data:", "#", "javascript:")):
            self.local.append(url)


def _remote_in_css(text):
    return [match["url"] or match["import"] for match in _CSS_REMOTE.finditer(text)]


def _local_css_imports(text):
    imports = re.findall(
        r"""@import\s+(?:url\(\s*)?["']?([^"')\s;]+)""", text, re.IGNORECASE
    )
    return [url for url in imports if not _is_remote(url)]


def _remote_in_js(text):
    markup = [match["url"] or match["link"] for match in _JS_REMOTE.finditer(text)]
    return markup + _remote_in_css(text)


def _local_file(base, url):
    """The file that a relative ``url`` in ``base`` names, if it exists."""
    path = unquote(urlsplit(url).path)
    if not path or path.startswith("/"):
        return None
    target = (base.parent / path).resolve()
    return target if target.is_file() else None


def find_remote_resources(outdir, pages=None):
    """Return ``(file, url)`` for every remote resource the built pages load.

    Parameters
    ----------
    outdir : path-like
        The output folder of an HTML build.
    pages : iterable of path-like, default=None
        The pages to scan. None scans every ``.html`` file in ``outdir``.

    Returns
    -------
    found : list of tuple of (pathlib.Path, str)
        Each file (relative to ``outdir``) that loads a URL from the
        network, with that URL, in file order.
    """
    outdir = Path(outdir).resolve()
    found = []
    assets = []
    pages = outdir.rglob("*.html") if pages is None else map(Path, pages)
    for page in sorted(page.resolve() for page in pages):
        scanner = _PageScanner()
        scanner.feed(page.read_text(encoding="utf-8", errors="replace"))
        found += [(page, url) for url in scanner.remote]
        assets += filter(None, (_local_file(page, url) for url in scanner.local))
    seen = set()
    while assets:
        asset = assets.pop()
        if asset in seen or asset.suffix not in {".css", ".js"}:
            continue
        seen.add(asset)
        text = asset.read_text(encoding="utf-8", errors="replace")
        if asset.suffix == ".css":
            found += [(asset, url) for url in _remote_in_css(text)]
            imports = (_local_file(asset, url) for url in _local_css_imports(text))
            assets += filter(None, imports)
        else:
            found += [(asset, url) for url in _remote_in_js(text)]
    return sorted({(path.relative_to(outdir), url) for path, url in found})


def _record_page(app, pagename, templatename, context, doctree):
    """``html-page-context`` handler: note a page that this build writes."""
    app.offline_pages_written.add(pagename)


def check_no_remote_resources(app, exception):
    """``build-finished`` handler: raise if an HTML page loads from the network."""
    if exception is not None or app.builder.format != "html":
        return
    # The pages of this build's documents, written now or by an earlier
    # incremental build, and the pages it wrote besides (index, search):
    # not the leftovers of documents that are gone or excluded.
    names = set(app.env.found_docs) | app.offline_pages_written
    pages = [Path(app.outdir, app.builder.get_target_uri(name)) for name in names]
    found = find_remote_resources(app.outdir, filter(Path.is_file, pages))
    if found:
        lines = "\n".join(f"  {path}: {url}" for path, url in found)
        raise RemoteResourceError(
            f"{len(found)} resource(s) would be loaded from the network; the "
            f"documentation must work offline (ship the file, or turn off the "
            f"option that adds it):\n{lines}"
        )


def setup(app):
    # After the other build-finished handlers (sphinx-mathjax-offline copies
    # MathJax into _static at the default priority, 500), so that their files
    # are scanned too.
    app.offline_pages_written = set()
    app.connect("html-page-context", _record_page)
    app.connect("build-finished", check_no_remote_resources, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
