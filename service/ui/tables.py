"""Signed-in browser sessions, stored so that every replica knows them and signing out ends them."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from service.timeutil import UTCDateTime, utc_now


class UiSession(SQLModel, table=True):
    __tablename__ = "ui_session"

    token_hash: str = Field(primary_key=True, max_length=64, description="sha256 of the cookie's token")
    principal: str = Field(max_length=200, description="name of the API key signed in with")
    scope: str = Field(max_length=16)
    csrf_token: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime, index=True)
