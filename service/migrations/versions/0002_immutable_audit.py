"""screening records cannot be updated

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24

The audit trail must show what a caller saw at the time: the database itself refuses
UPDATEs of screening records (deleting whole records past retention stays possible).
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            """
            CREATE FUNCTION screening_record_immutable() RETURNS trigger AS $$
            BEGIN
                RAISE EXCEPTION 'screening records are immutable';
            END;
            $$ LANGUAGE plpgsql
            """
        )
        op.execute(
            "CREATE TRIGGER screening_record_no_update BEFORE UPDATE ON screening_record "
            "FOR EACH ROW EXECUTE FUNCTION screening_record_immutable()"
        )
    else:
        op.execute(
            "CREATE TRIGGER screening_record_no_update BEFORE UPDATE ON screening_record "
            "BEGIN SELECT RAISE(ABORT, 'screening records are immutable'); END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS screening_record_no_update ON screening_record")
        op.execute("DROP FUNCTION IF EXISTS screening_record_immutable()")
    else:
        op.execute("DROP TRIGGER IF EXISTS screening_record_no_update")
