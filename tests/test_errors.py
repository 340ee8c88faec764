"""Error codes: every domain code has one HTTP status, in one table."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from app.control.errors import ERROR_CODES
from app.web.errors import STATUS, describe_validation
from app.web.routes import NoQuery, StopQuery


def test_every_domain_error_code_has_a_status() -> None:
    assert set(ERROR_CODES) <= set(STATUS)


def test_statuses_are_client_or_server_errors() -> None:
    assert all(400 <= s < 600 for s in STATUS.values())


def test_an_unknown_query_key_names_what_the_route_takes() -> None:
    with pytest.raises(ValidationError) as err:
        StopQuery.model_validate({"cdoe": "3"})
    text = describe_validation(list(err.value.errors()))
    assert "'cdoe'" in text and "this route takes: code" in text and "Value error" not in text


def test_a_route_without_query_parameters_refuses_any() -> None:
    with pytest.raises(ValidationError, match="this route takes: none"):
        NoQuery.model_validate({"x": "1"})


def test_at_most_three_problems_are_described() -> None:
    errors = [{"type": "missing", "loc": ("body", f"f{i}"), "msg": "Field required"} for i in range(10)]
    assert describe_validation(errors).count("Field required") == 3
