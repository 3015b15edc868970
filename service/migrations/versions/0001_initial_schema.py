"""initial schema

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "api_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("key_id", sa.String(length=16), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key_id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "audit_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("object_id", sa.String(length=200), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_event_at"), ["at"], unique=False)

    op.create_table(
        "clearance",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("reference", sa.String(length=200), nullable=True),
        sa.Column("name", sa.String(), nullable=True),
        sa.Column("name_key", sa.String(length=1000), nullable=True),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("entity_id", sa.String(length=128), nullable=False),
        sa.Column("entry_hash", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.String(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_by", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("clearance", schema=None) as batch_op:
        batch_op.create_index("ix_clearance_name_key", ["name_key", "country"], unique=False)
        batch_op.create_index("ix_clearance_reference", ["reference"], unique=False)

    op.create_table(
        "ingest_lease",
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("holder", sa.String(length=200), nullable=False),
        sa.Column("acquired_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("source"),
    )
    op.create_table(
        "list_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("origin", sa.String(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("validators", sa.JSON(), nullable=False),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("activated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("record_count", sa.Integer(), nullable=False),
        sa.Column("stats", sa.JSON(), nullable=False),
        sa.Column("error", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("list_version", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_list_version_source"), ["source"], unique=False)
        batch_op.create_index("ix_list_version_source_status", ["source", "status"], unique=False)

    op.create_table(
        "screening_record",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("caller", sa.String(length=200), nullable=False),
        sa.Column("reference", sa.String(length=200), nullable=True),
        sa.Column("decision", sa.String(length=8), nullable=False),
        sa.Column("batch_id", sa.String(length=36), nullable=True),
        sa.Column("request", sa.JSON(), nullable=False),
        sa.Column("response", sa.JSON(), nullable=False),
        sa.Column("list_versions", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("screening_record", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_screening_record_batch_id"), ["batch_id"], unique=False)
        batch_op.create_index("ix_screening_record_caller", ["caller", "created_at"], unique=False)
        batch_op.create_index("ix_screening_record_created", ["created_at", "id"], unique=False)
        batch_op.create_index(batch_op.f("ix_screening_record_decision"), ["decision"], unique=False)
        batch_op.create_index("ix_screening_record_reference", ["reference", "created_at"], unique=False)

    op.create_table(
        "list_change",
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("previous_version_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("added_count", sa.Integer(), nullable=False),
        sa.Column("removed_count", sa.Integer(), nullable=False),
        sa.Column("changed_count", sa.Integer(), nullable=False),
        sa.Column("added", sa.JSON(), nullable=False),
        sa.Column("removed", sa.JSON(), nullable=False),
        sa.Column("changed", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["version_id"], ["list_version.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("version_id"),
    )
    with op.batch_alter_table("list_change", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_list_change_source"), ["source"], unique=False)

    op.create_table(
        "list_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("entity_id", sa.String(length=128), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["version_id"], ["list_version.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("version_id", "entity_id", name="uq_list_entry_version_entity"),
    )
    with op.batch_alter_table("list_entry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_list_entry_version_id"), ["version_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("list_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_list_entry_version_id"))

    op.drop_table("list_entry")
    with op.batch_alter_table("list_change", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_list_change_source"))

    op.drop_table("list_change")
    with op.batch_alter_table("screening_record", schema=None) as batch_op:
        batch_op.drop_index("ix_screening_record_reference")
        batch_op.drop_index(batch_op.f("ix_screening_record_decision"))
        batch_op.drop_index("ix_screening_record_created")
        batch_op.drop_index("ix_screening_record_caller")
        batch_op.drop_index(batch_op.f("ix_screening_record_batch_id"))

    op.drop_table("screening_record")
    with op.batch_alter_table("list_version", schema=None) as batch_op:
        batch_op.drop_index("ix_list_version_source_status")
        batch_op.drop_index(batch_op.f("ix_list_version_source"))

    op.drop_table("list_version")
    op.drop_table("ingest_lease")
    with op.batch_alter_table("clearance", schema=None) as batch_op:
        batch_op.drop_index("ix_clearance_reference")
        batch_op.drop_index("ix_clearance_name_key")

    op.drop_table("clearance")
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_event_at"))

    op.drop_table("audit_event")
    op.drop_table("api_key")
