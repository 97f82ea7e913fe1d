"""A whole plan's UUIDs at once are UUIDs as new_uuid writes them: random, version 4."""

from __future__ import annotations

import uuid

from watcher_celery.db.models import new_uuid, new_uuids


def test_a_batch_of_uuids_are_distinct_version_4_uuids_in_canonical_form():
    batch = new_uuids(2000)
    assert len(batch) == 2000 and len(set(batch)) == 2000
    for text in batch:
        parsed = uuid.UUID(text)
        assert parsed.version == 4 and parsed.variant == uuid.RFC_4122
        assert str(parsed) == text
    assert len(new_uuid()) == len(batch[0]) and new_uuids(0) == []
