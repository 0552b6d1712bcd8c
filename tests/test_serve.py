"""The launcher's warm-up: a failure never stops the server, and never goes unreported."""

from __future__ import annotations

import logging

import pytest
from streamlit import runtime

from territoires import serve
from territoires.errors import DataFileError


class _Running:
    state = "running"  # anything but RuntimeState.INITIAL: the server is up


@pytest.fixture
def broken_map(monkeypatch):
    """A server that is up, and a map that fails to build with the exception the test sets."""
    from territoires.ui import common

    monkeypatch.setattr(runtime, "exists", lambda: True)
    monkeypatch.setattr(runtime, "get_instance", lambda: _Running())
    failure: dict[str, Exception] = {}

    def map_for(state):
        raise failure["exc"]

    monkeypatch.setattr(common, "map_for", map_for)
    return failure


def warm_records(caplog) -> list[logging.LogRecord]:
    with caplog.at_level(logging.WARNING, logger="territoires"):
        serve.warm()  # must return: the warm-up thread never takes the server down
    return [r for r in caplog.records if r.name == "territoires"]


def test_an_unexpected_error_is_logged_with_its_traceback(broken_map, caplog):
    broken_map["exc"] = RuntimeError("panne simulée")
    (rec,) = warm_records(caplog)
    assert rec.levelno == logging.ERROR
    assert rec.exc_info is not None and "panne simulée" in str(rec.exc_info[1])


def test_a_data_problem_is_logged_as_a_warning_naming_the_file(broken_map, caplog):
    broken_map["exc"] = DataFileError("Illisible.", where="data/geo/communes.parquet", todo="territoires geo build")
    (rec,) = warm_records(caplog)
    assert rec.levelno == logging.WARNING
    assert "data/geo/communes.parquet" in rec.getMessage() and "territoires geo build" in rec.getMessage()
