"""Solution.add_action: resource_id is reserved and identical actions are kept once."""

from __future__ import annotations

import pytest

from watcher_celery.plugins import Solution, SolutionAction


def test_identical_actions_are_kept_once_whatever_the_parameter_order():
    solution = Solution()
    solution.add_action("migrate", "i1", {"source_node": "a", "destination_node": "b"})
    solution.add_action("migrate", "i1", {"destination_node": "b", "source_node": "a"})
    solution.add_action("migrate", "i2", {"source_node": "a", "destination_node": "b"})
    solution.add_action("nop", input_parameters={"message": {"nested": [1, 2]}})
    solution.add_action("nop", input_parameters={"message": {"nested": [1, 2]}})
    assert len(solution.actions) == 3


def test_actions_appended_directly_still_count_as_seen():
    solution = Solution()
    solution.actions.append(SolutionAction("nop", {"message": "x"}))
    solution.add_action("nop", input_parameters={"message": "x"})
    assert len(solution.actions) == 1


def test_resource_id_is_reserved():
    with pytest.raises(ValueError, match="reserved"):
        Solution().add_action("nop", input_parameters={"resource_id": "x"})
