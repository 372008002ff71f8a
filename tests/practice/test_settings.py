import pytest
from django.core.exceptions import ImproperlyConfigured

from practice.settings import env_bool


@pytest.mark.parametrize(
    "raw,expected", [("true", True), ("False", False), ("1", True), ("0", False)]
)
def test_env_bool_accepts_only_clear_values(monkeypatch, raw, expected):
    monkeypatch.setenv("SOME_FLAG", raw)
    assert env_bool("SOME_FLAG", not expected) is expected


@pytest.mark.parametrize("raw", ["yes", "on", "flase", "tru"])
def test_env_bool_refuses_anything_else(monkeypatch, raw):
    monkeypatch.setenv("SOME_FLAG", raw)
    with pytest.raises(ImproperlyConfigured):
        env_bool("SOME_FLAG", False)


def test_debug_is_off_unless_set(settings):
    # The suite runs without DEBUG set: the default must be off.
    assert settings.DEBUG is False
