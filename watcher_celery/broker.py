"""The Redis transport, made to survive its broker's restart.

When Redis goes away while a worker holds unacknowledged messages, kombu closes the channel and
first tries to put those messages back — on the connection that is already gone. The error
escapes as "Unrecoverable error" and the whole worker exits, taking its running actions with
it; a task that finishes afterwards fails the same way when it acknowledges its message on the
closed channel. Here both give up quietly instead: the messages stay in Redis's ``unacked`` hash
(if Redis kept them at all) and come back through the visibility-timeout scan; anything Redis
lost is asked for again by the sweeper. The worker then reconnects like after any other
connection loss.
"""

from __future__ import annotations

import logging

from kombu.transport import redis as kombu_redis

LOG = logging.getLogger(__name__)


class QoS(kombu_redis.QoS):
    def _closed(self, what: str, delivery_tag) -> bool:
        """A task finishing after its channel closed (the connection was lost) cannot be
        acknowledged there; its message returns after the visibility timeout and the copy finds
        the work done. kombu would raise and end the worker."""
        if self.channel.connection is not None:
            return False
        LOG.warning("cannot %s message %s: its broker connection was lost", what, delivery_tag)
        return True

    def ack(self, delivery_tag):
        if not self._closed("acknowledge", delivery_tag):
            super().ack(delivery_tag)

    def reject(self, delivery_tag, requeue=False):
        if not self._closed("reject", delivery_tag):
            super().reject(delivery_tag, requeue=requeue)

    def restore_unacked(self, client=None):
        try:
            return super().restore_unacked(client)
        except Exception as exc:
            LOG.warning(
                "broker connection gone; %d unacknowledged message(s) return after the "
                "visibility timeout or are asked for again by the sweeper (%s)",
                len(self._delivered),
                exc,
            )
            return None


class Channel(kombu_redis.Channel):
    QoS = QoS


class Transport(kombu_redis.Transport):
    Channel = Channel


# celeryconfig's ``broker_transport`` for redis:// and rediss:// URLs.
TRANSPORT = f"{__name__}:Transport"
