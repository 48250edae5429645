"""How the numba kernels are compiled: cached on disk when possible.

Every kernel of the package is decorated with :func:`njit_cached` instead of
``numba.njit(cache=True)``. Caching on disk only saves the compilation time
of later processes, so it is used whenever numba can write a cache for this
package, and silently left out otherwise: the kernels are then compiled in
memory, once per process, at their first call.

Why the choice is needed: with ``cache=True``, numba looks for a writable
cache directory when the function is *decorated*, that is when the module is
imported. It tries in turn ``NUMBA_CACHE_DIR`` (if set), the package's own
``__pycache__``, then the user-wide cache directory (``$XDG_CACHE_HOME/numba``
or ``~/.cache/numba``), and it raises ``RuntimeError: cannot cache function
...: no locator available`` when none of them can be created and written.
A read-only installation (a read-only site-packages, a container run by a
user without a writable home) then could not even be imported.

The choice is made once, at import, by decorating a trivial function of this
module with ``cache=True``: it lives in the same directory as the kernels, so
numba looks in the same places for it. Nothing is compiled for it. Set the
``sklearn_delta._numba`` logger to DEBUG to see the choice. What this does
not cover: a cache directory that was writable at import and stops being
writable (or fills up) before a kernel's first call still makes that call
fail, as numba saves the compiled code then.

numba's tables are built at import, too. The first call of any compiled
function in a process, even one loaded from the disk cache, first has numba
build its typing and lowering tables (it imports its implementations of
numpy and registers them): about 15 MB of Python objects and 0.4 s, once per
process, whatever the data. Left to the first call, that lands inside the
first fit that runs a compiled kernel and makes it look as if it copied X
(for a 16 MB X, the first fit allocated ~1x X more than later fits). Built
here, a fit allocates what the data need, first or not.
"""

import logging

from numba import njit
from numba.core.registry import cpu_target

_logger = logging.getLogger(__name__)


def _probe():  # pragma: no cover - never called, only decorated
    return 0


def _disk_cache_available():
    """Whether numba can cache the functions of this package's modules."""
    try:
        njit(cache=True)(_probe)
    except RuntimeError as error:  # "cannot cache function ...: no locator"
        _logger.debug("numba kernels are compiled in memory: %s", error)
        return False
    return True


CACHE = _disk_cache_available()


def _build_numba_tables():
    """Build now what numba's first call in a process would (see above)."""
    cpu_target.typing_context.refresh()
    cpu_target.target_context.refresh()


_build_numba_tables()


def njit_cached(**options):
    """``numba.njit(cache=True, **options)``, without the cache if unwritable."""
    return njit(cache=CACHE, **options)
