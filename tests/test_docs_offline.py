"""The docs build's offline check finds what a page loads, not what it links."""

import importlib.util
from pathlib import Path

import pytest

pytest.importorskip("sphinx", reason="the docs' offline check is a Sphinx extension")

_SPEC = importlib.util.spec_from_file_location(
    "offline_pages", Path(__file__).parents[1] / "docs" / "_ext" / "offline_pages.py"
)
offline_pages = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(offline_pages)

PAGE = """<html><head>
<link rel="stylesheet" href="_static/theme.css?v=1">
<link rel="canonical" href="https://docs.example/page.html">
<link rel="icon" href="https://cdn.example/favicon.ico">
<script src="_static/app.js"></script>
<script src="//cdn.example/protocol-relative.js"></script>
<style>@import url(https://cdn.example/imported.css);</style>
<style scoped><link href="https://cdn.example/inert.css" rel="stylesheet"></style>
</head><body>
<a href="https://other.example">a link is only followed on a click</a>
<img src="http://img.example/a.png">
<img srcset="_images/b.png 1x, https://img.example/b2.png 2x">
<iframe src="https://frame.example/"></iframe>
<div style="background: url('https://img.example/bg.png')"></div>
<pre>&lt;script src=&quot;https://text.example/shown-as-code.js&quot;&gt;</pre>
</body></html>
"""


def test_finds_every_remote_load_and_no_link(tmp_path):
    (tmp_path / "_static").mkdir()
    (tmp_path / "_static" / "theme.css").write_text(
        '@import "fonts.css";\nbody { background: url(data:image/png;base64,AA) }'
    )
    (tmp_path / "_static" / "fonts.css").write_text(
        '@font-face { src: url("https://fonts.example/f.woff2") }'
    )
    (tmp_path / "_static" / "app.js").write_text(
        'const svg = "http://www.w3.org/2000/svg";\n'
        "document.head.innerHTML += '<script src=\"https://cdn.example/late.js\">';\n"
    )
    (tmp_path / "page.html").write_text(PAGE)

    found = offline_pages.find_remote_resources(tmp_path)

    assert found == sorted(
        [
            (Path("_static/app.js"), "https://cdn.example/late.js"),
            (Path("_static/fonts.css"), "https://fonts.example/f.woff2"),
            (Path("page.html"), "//cdn.example/protocol-relative.js"),
            (Path("page.html"), "http://img.example/a.png"),
            (Path("page.html"), "https://cdn.example/favicon.ico"),
            (Path("page.html"), "https://cdn.example/imported.css"),
            (Path("page.html"), "https://frame.example/"),
            (Path("page.html"), "https://img.example/b2.png"),
            (Path("page.html"), "https://img.example/bg.png"),
        ]
    )


def test_only_the_pages_given_are_scanned(tmp_path):
    (tmp_path / "page.html").write_text(PAGE)
    (tmp_path / "clean.html").write_text('<a href="https://other.example">x</a>')

    clean = [tmp_path / "clean.html"]
    assert offline_pages.find_remote_resources(tmp_path, clean) == []
