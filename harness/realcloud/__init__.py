"""The real-OpenStack tier's harness: Keystone, Placement, Ironic and Nova from PyPI on MariaDB and
RabbitMQ, started by the tier's tests (tests/realcloud) and by bench/realcloud_actions.py."""
