"""host_choice: which hosts a balancing move may target (cycle, retry, fullsearch)."""

from __future__ import annotations

from strategies.host_choice import HostChoice

HOSTS = ["a", "b", "c", "d"]


def test_cycle_gives_the_next_host_in_turn_and_skips_the_source():
    choice = HostChoice("cycle", HOSTS)
    assert [choice.candidates("b") for _ in range(4)] == [["a"], ["c"], ["d"], ["a"]]


def test_retry_draws_retry_count_distinct_hosts_other_than_the_source():
    choice = HostChoice("retry", HOSTS, retry_count=2, seed="audit-1")
    draws = [choice.candidates("a") for _ in range(20)]
    assert all(len(d) == 2 and len(set(d)) == 2 and "a" not in d for d in draws)
    assert len({tuple(sorted(d)) for d in draws}) > 1  # it samples, it does not repeat
    again = HostChoice("retry", HOSTS, retry_count=2, seed="audit-1")
    assert [again.candidates("a") for _ in range(20)] == draws


def test_retry_count_beyond_the_cluster_is_every_other_host():
    assert sorted(HostChoice("retry", HOSTS, retry_count=10).candidates("c")) == ["a", "b", "d"]


def test_fullsearch_is_every_host_but_the_source():
    assert HostChoice("fullsearch", HOSTS).candidates("d") == ["a", "b", "c"]
