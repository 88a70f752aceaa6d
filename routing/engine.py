"""The router: classification, rules, ownership and deadlines in one pure call.

    router = Router(config)                 # compiles signals, model and rules once
    decision = router.decide(case_input, ownership_state)
    decision.owner, decision.why, decision.to_dict()

No I/O: the caller reads the config (and any learned examples) and supplies the time and the
availability snapshot.
"""

from __future__ import annotations

from collections.abc import Sequence

from routing.classify import TextClassifier
from routing.config import Config
from routing.ownership import OwnershipResolver
from routing.rules import RuleSet
from routing.types import (
    CaseInput,
    Classification,
    Deadlines,
    Decision,
    Example,
    Owner,
    OwnershipState,
    Urgency,
)


class Router:
    def __init__(self, config: Config, learned: Sequence[Example] = ()) -> None:
        """Precompile everything. `learned`: examples from resolved cases (see routing.learn)."""
        self.config = config
        self.classifier = TextClassifier(config, learned)
        self.rules = RuleSet(config)
        self.ownership = OwnershipResolver(config)

    def classify(self, inp: CaseInput) -> Classification:
        return self.classifier.classify(inp)

    def decide(self, inp: CaseInput, state: OwnershipState | None = None) -> Decision:
        return self.decide_classified(inp, self.classify(inp), state or OwnershipState())

    def decide_classified(
        self, inp: CaseInput, c: Classification, state: OwnershipState | None = None
    ) -> Decision:
        state = state or OwnershipState()
        matched, skipped = self.rules.first_match(inp, c)
        action = matched.rule.then
        owner, steps = self.ownership.resolve(action.owner, c, inp, state)
        return Decision(
            classification=c,
            rule=matched.rule.name,
            rule_index=matched.index,
            skipped=skipped,
            owner=owner,
            notify=self._notify(action.notify, owner),
            tags=tuple(action.tags),
            deadlines=self.deadlines(action.deadlines, c.urgency),
            fallback=tuple(steps),
        )

    def deadlines(self, profile: str | None, urgency: Urgency) -> Deadlines:
        name = profile if profile in self.config.deadlines else urgency.value
        if name not in self.config.deadlines:  # validate.py requires one per urgency
            name = next(iter(self.config.deadlines))
        p = self.config.deadlines[name]
        return Deadlines(name, p.first_response, p.update_interval, p.resolution)

    def _notify(self, wanted: list[str], owner: Owner) -> tuple[str, ...]:
        team = self.config.team(owner.team) if self.config.has_team(owner.team) else None
        out: list[str] = []
        for n in wanted:
            if n == "lead":
                pid = team.lead if team else None
            elif n == "process_owner":
                pid = team.process_owner if team else None
            else:
                pid = n
            if pid and pid != owner.person and self.config.has_person(pid):
                out.append(pid)
        return tuple(dict.fromkeys(out))
