"""The commission tests read messages in English (the msgids): the pages and the API answer in
English here whatever the French catalogue holds."""

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture(params=["reference", "sql"])
def engine(request, settings):
    """Each ruling holds on both engines: the pure reference module (every database) and, on
    PostgreSQL, the SQL one (``SETTLEMENT_SQL_ENGINE``); elsewhere the SQL case is skipped."""
    from django.db import connection

    if request.param == "sql" and connection.vendor != "postgresql":
        pytest.skip("the SQL engine runs on PostgreSQL only")
    settings.SETTLEMENT_SQL_ENGINE = request.param == "sql"
    from commissions.settlement import uses_sql_engine

    assert uses_sql_engine() is (request.param == "sql")
    return request.param
