"""A replica remembers valid API keys for a few seconds instead of reading the store on every request."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import Engine

from service.auth import Authenticator, Principal, create_key, revoke_key


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_revoked_key_works_until_the_cache_time_has_passed(engine: Engine) -> None:
    key = create_key(engine, "erp", "screen")
    clock = FakeClock()
    authenticator = Authenticator(engine, [], cache_seconds=5.0, clock=clock)
    assert authenticator.remembered(key) is None  # never seen: look it up
    assert authenticator.authenticate(key) == Principal("erp", "screen")
    revoke_key(engine, "erp")
    clock.now += 4.9
    assert authenticator.remembered(key) == Principal("erp", "screen")
    clock.now += 0.2
    assert authenticator.remembered(key) is None
    assert authenticator.authenticate(key) is None


def test_invalid_keys_are_not_remembered(engine: Engine) -> None:
    create_key(engine, "erp", "screen")
    authenticator = Authenticator(engine, [], cache_seconds=5.0, clock=FakeClock())
    assert authenticator.authenticate("sk_nope_nope") is None
    assert authenticator.remembered("sk_nope_nope") is None


def test_no_cache_means_every_request_is_checked(engine: Engine) -> None:
    key = create_key(engine, "erp", "screen")
    authenticator = Authenticator(engine, [], cache_seconds=0, clock=FakeClock())
    assert authenticator.authenticate(key) == Principal("erp", "screen")
    assert authenticator.remembered(key) is None


def test_only_a_store_that_never_held_a_key_is_open(engine: Engine, caplog: pytest.LogCaptureFixture) -> None:
    clock = FakeClock()
    authenticator = Authenticator(engine, [], clock=clock)
    with caplog.at_level(logging.INFO, logger="service.auth"):
        assert authenticator.is_open()
        create_key(engine, "erp", "screen")
        clock.now += 10
        assert not authenticator.is_open()
        revoke_key(engine, "erp")
        clock.now += 10
        assert not authenticator.is_open()  # fails closed: the last revocation does not reopen the API
        clock.now += 10
        assert not authenticator.is_open()
    messages = [record.getMessage() for record in caplog.records]
    assert len(messages) == 3  # one line per change of state, none for a check that finds no change
    assert "open to anyone" in messages[0]
    assert "every request needs a key" in messages[1]
    assert "refuses all requests" in messages[2]


def test_keys_in_the_environment_close_the_api(engine: Engine) -> None:
    assert not Authenticator(engine, ["erp:screen:a-long-enough-secret"]).is_open()
