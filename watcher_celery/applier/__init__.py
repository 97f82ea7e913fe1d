"""Applier: runs an action plan's DAG as Celery canvases, frontier by frontier."""
