"""What recovery sees waiting in the embedded broker (kombu's SQL transport on SQLite).

Messages are sent by a real Celery app to a real SQLite broker file and taken by a real kombu
consumer, so a message delivered to a worker no longer counts as waiting.
"""

from __future__ import annotations

from celery import Celery
from kombu import Connection, Queue

from watcher_celery.applier.inflight import sql_queued_task_ids


def test_sql_broker_lists_waiting_task_ids_until_they_are_delivered(tmp_path):
    # Given three tasks sent through the SQL transport, two to our queue and one elsewhere
    broker = f"sqla+sqlite:///{tmp_path}/broker.sqlite"
    app = Celery("inflight-test", broker=broker)
    for task_id, queue in (("a-1", "applier"), ("a-2", "applier"), ("b-1", "other")):
        app.send_task("watcher.applier.execute_action", ("x",), task_id=task_id, queue=queue)
    # Then both of our queue's tasks are waiting, and only those
    assert sql_queued_task_ids(broker, "applier") == {"a-1", "a-2"}
    # When a consumer takes the first one
    with Connection(broker) as connection:
        message = connection.SimpleQueue(Queue("applier")).get(timeout=5)
        assert message.headers["id"] == "a-1"
        message.ack()
    # Then it is no longer waiting
    assert sql_queued_task_ids(broker, "applier") == {"a-2"}


def test_sql_broker_that_never_carried_a_message_has_nothing_waiting(tmp_path):
    assert sql_queued_task_ids(f"sqla+sqlite:///{tmp_path}/empty.sqlite", "applier") == set()
