"""Random identifiers: valid version-4 UUIDs, never repeated, not even across a fork."""

from __future__ import annotations

import os
import threading
import uuid

from service.ids import uuid4_hex, uuid4_text


def test_identifiers_are_random_version_4_uuids_in_canonical_form() -> None:
    for text in (uuid4_text() for _ in range(1000)):
        parsed = uuid.UUID(text)
        assert (parsed.version, parsed.variant) == (4, uuid.RFC_4122)
        assert str(parsed) == text
    hexed = uuid4_hex()
    assert len(hexed) == 32 and uuid.UUID(hex=hexed).version == 4


def test_identifiers_do_not_repeat_across_blocks_and_threads() -> None:
    per_thread: list[list[str]] = [[] for _ in range(4)]

    def draw(into: list[str]) -> None:
        into.extend(uuid4_text() for _ in range(2000))  # several 4 KiB blocks each

    threads = [threading.Thread(target=draw, args=(ids,)) for ids in per_thread]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    every = [text for ids in per_thread for text in ids]
    assert len(set(every)) == len(every) == 8000


def test_a_forked_child_does_not_hand_out_its_parents_next_identifiers() -> None:
    uuid4_text()  # the parent now holds unread random bytes
    read_end, write_end = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - runs in the child
        os.write(write_end, "".join(uuid4_text() for _ in range(10)).encode())
        os._exit(0)
    os.close(write_end)
    os.waitpid(child, 0)
    with os.fdopen(read_end) as pipe:
        from_child = pipe.read()
    from_child_ids = {from_child[i : i + 36] for i in range(0, len(from_child), 36)}
    from_parent_ids = {uuid4_text() for _ in range(10)}
    assert len(from_child_ids) == 10
    assert not from_child_ids & from_parent_ids
