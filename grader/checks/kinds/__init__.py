"""Check kinds: the generic ways a rubric can judge observations. A rubric picks one per check by name.

Per-case kinds judge each observed case on its own (`judge_case`); pooled kinds need all cases at once
(`judge_pooled`), e.g. a distribution test over many layers or a loss over several trained models.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from grader.checks.context import CheckContext
from grader.checks.judgement import Judgement
from grader.checks.kinds import at_most_reference as _at_most
from grader.checks.kinds import close_to_reference as _close
from grader.checks.kinds import compare as _compare
from grader.checks.kinds import equal as _equal
from grader.checks.kinds import init_distribution as _init
from grader.checks.kinds import target_loss as _target
from grader.rubric import CheckSpec

#: judge one case: (check, context, observation key, key of the observation it is compared with) -> verdict
JudgeCase = Callable[[CheckSpec, CheckContext, str, str | None], Judgement]
#: judge all cases at once: (check, context, every observation key) -> judgement
JudgePooled = Callable[[CheckSpec, CheckContext, list[str]], Judgement]


@dataclass(frozen=True)
class Kind:
    name: str
    #: where the cases come from: the reference's observation keys, or the student's (e.g. trained models)
    keys_from: str
    judge_case: JudgeCase | None = None
    judge_pooled: JudgePooled | None = None


KINDS: dict[str, Kind] = {
    "shape": Kind("shape", "reference", judge_case=_compare.judge_shape),
    "match_reference": Kind("match_reference", "reference", judge_case=_compare.judge_match_reference),
    "consistent": Kind("consistent", "reference", judge_case=_compare.judge_consistent),
    "within": Kind("within", "reference", judge_case=_compare.judge_within),
    "close_to_reference": Kind("close_to_reference", "reference", judge_case=_close.judge_close_to_reference),
    "at_most_reference": Kind("at_most_reference", "reference", judge_case=_at_most.judge_at_most_reference),
    "equal_to_reference": Kind("equal_to_reference", "reference", judge_case=_equal.judge_equal_to_reference),
    "init_distribution": Kind("init_distribution", "reference", judge_pooled=_init.judge_init_distribution),
    "target_loss": Kind("target_loss", "student", judge_pooled=_target.judge_target_loss),
}

KNOWN_KINDS = frozenset(KINDS)
