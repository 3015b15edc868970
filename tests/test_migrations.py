"""Migrations: a new store is migrated to the head, and a store already there is left as it is without alembic."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect

from service.db import HEAD_REVISION, alembic_config, make_engine, stored_revision, upgrade
from tests.conftest import fresh_database


def test_the_head_revision_named_in_code_is_the_newest_migration(engine: Engine) -> None:
    assert ScriptDirectory.from_config(alembic_config(engine)).get_heads() == [HEAD_REVISION]


def test_a_new_store_is_migrated_to_the_head(tmp_path: Path) -> None:
    with fresh_database(tmp_path) as url:
        engine = make_engine(url)
        assert stored_revision(engine) is None
        upgrade(engine)
        assert stored_revision(engine) == HEAD_REVISION
        assert {"list_version", "screening_record", "audit_event", "saved_index"} <= set(
            inspect(engine).get_table_names()
        )
        engine.dispose()


def test_a_store_behind_the_head_is_migrated_on(engine: Engine) -> None:
    config = alembic_config(engine)
    with engine.connect() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0005")
        connection.commit()
    assert stored_revision(engine) == "0005"
    assert "saved_index" not in inspect(engine).get_table_names()
    upgrade(engine)
    assert stored_revision(engine) == HEAD_REVISION
    assert "saved_index" in inspect(engine).get_table_names()


def test_a_store_at_the_head_is_upgraded_without_importing_alembic(engine: Engine) -> None:
    url = engine.url.render_as_string(hide_password=False)
    script = (
        "import sys\n"
        "from service.db import make_engine, upgrade\n"
        f"upgrade(make_engine({url!r}))\n"
        "print('alembic' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120)
    assert done.stdout.strip() == "False"
