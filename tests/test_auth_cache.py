"""A replica remembers valid API keys for a few seconds instead of reading the store on every request."""

from __future__ import annotations

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
