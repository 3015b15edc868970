"""review cases: cases, their hits, their immutable events, and the list versions swept for reopening

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02

A case's history must show who decided what and when: as for screening records (0002), the
database itself refuses UPDATEs of case events, and DELETEs too (a case's history is never cut short).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "review_case",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("party_key", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("name_key", sa.String(), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("date_of_birth", sa.String(length=10), nullable=True),
        sa.Column("reference", sa.String(length=200), nullable=True),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("decision", sa.String(length=8), nullable=False),
        sa.Column("assignee", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_screening_id", sa.String(length=36), nullable=False),
        sa.Column("last_screened_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("party_key"),
    )
    with op.batch_alter_table("review_case", schema=None) as batch_op:
        batch_op.create_index("ix_review_case_queue", ["opened_at", "id"], unique=False)
        batch_op.create_index("ix_review_case_status", ["status", "opened_at"], unique=False)
        batch_op.create_index("ix_review_case_assignee", ["assignee", "opened_at"], unique=False)

    op.create_table(
        "case_hit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("entity_id", sa.String(length=128), nullable=False),
        sa.Column("entry_hash", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("matched_name", sa.String(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("decision", sa.String(length=8), nullable=False),
        sa.Column("programs", sa.JSON(), nullable=False),
        sa.Column("explanation", sa.JSON(), nullable=False),
        sa.Column("link_keys", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=24), nullable=False),
        sa.Column("pending_event_id", sa.Integer(), nullable=True),
        sa.Column("clearance_id", sa.String(length=36), nullable=True),
        sa.Column("screening_id", sa.String(length=36), nullable=False),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["review_case.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("case_id", "source", "entity_id", name="uq_case_hit_entry"),
    )
    with op.batch_alter_table("case_hit", schema=None) as batch_op:
        batch_op.create_index("ix_case_hit_case_id", ["case_id"], unique=False)
        batch_op.create_index("ix_case_hit_entry", ["source", "entity_id"], unique=False)

    op.create_table(
        "case_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("hit_ids", sa.JSON(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("case_event", schema=None) as batch_op:
        batch_op.create_index("ix_case_event_case", ["case_id", "id"], unique=False)

    op.create_table(
        "case_list_sweep",
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("swept_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reopened", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("version_id"),
    )

    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            """
            CREATE FUNCTION case_event_immutable() RETURNS trigger AS $$
            BEGIN
                RAISE EXCEPTION 'case events are immutable';
            END;
            $$ LANGUAGE plpgsql
            """
        )
        for operation in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER case_event_no_{operation.lower()} BEFORE {operation} ON case_event "
                "FOR EACH ROW EXECUTE FUNCTION case_event_immutable()"
            )
    else:
        for operation in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER case_event_no_{operation.lower()} BEFORE {operation} ON case_event "
                "BEGIN SELECT RAISE(ABORT, 'case events are immutable'); END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for operation in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS case_event_no_{operation} ON case_event")
        op.execute("DROP FUNCTION IF EXISTS case_event_immutable()")
    else:
        for operation in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS case_event_no_{operation}")
    op.drop_table("case_list_sweep")
    with op.batch_alter_table("case_event", schema=None) as batch_op:
        batch_op.drop_index("ix_case_event_case")
    op.drop_table("case_event")
    with op.batch_alter_table("case_hit", schema=None) as batch_op:
        batch_op.drop_index("ix_case_hit_entry")
        batch_op.drop_index("ix_case_hit_case_id")
    op.drop_table("case_hit")
    with op.batch_alter_table("review_case", schema=None) as batch_op:
        batch_op.drop_index("ix_review_case_assignee")
        batch_op.drop_index("ix_review_case_status")
        batch_op.drop_index("ix_review_case_queue")
    op.drop_table("review_case")
