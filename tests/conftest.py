"""Test settings shared by the whole suite."""

import os

from hypothesis import settings

# Property tests draw the same examples on every run ("ci"), so that a
# failure is reproducible and CI is never flaky; HYPOTHESIS_PROFILE=explore
# searches with fresh random examples instead.
settings.register_profile(
    "ci", max_examples=40, deadline=None, derandomize=True, database=None
)
settings.register_profile("explore", max_examples=300, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
