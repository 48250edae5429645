"""matplotlib, imported only when a display draws."""


def pyplot():
    """Return matplotlib.pyplot, or raise an ImportError that says what to do."""
    try:
        import matplotlib.pyplot as plt
    except ImportError as error:
        raise ImportError(
            "Plotting needs matplotlib, which is not installed. Install it with "
            '`pip install matplotlib` (or `pip install "sklearn_delta[plot]"`).'
        ) from error
    return plt


def axes(ax):
    """The given axes, or new ones on a new figure."""
    if ax is None:
        _, ax = pyplot().subplots()
    return ax
