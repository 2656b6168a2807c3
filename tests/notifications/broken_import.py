"""A module whose own import fails: the worker must surface that, not skip the sweep."""

import fieldops_no_such_dependency  # type: ignore[import-not-found]  # noqa: F401
