"""The protocol's flow as a `transitions` state machine.

States are the protocol's steps plus the shared trigger-point check (`tp_refers`, `tp_hold`),
`confirm_finish` and `end`. Triggers are `cmd_<command>` (a `next` trigger would clash with
the model's attributes) plus `hold_limit`. Returns from the check go back to the step the
check started from, chosen by a condition on `origin`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from transitions import Machine

from voice_guide.protocol.model import END, Protocol

TP_REFERS, TP_HOLD, CONFIRM = "tp_refers", "tp_hold", "confirm_finish"
CHECK_STATES = (TP_REFERS, TP_HOLD)


class FlowModel:
    """The machine's model: holds the state and the step a check returns to."""

    # Set by the machine when it binds the model (declared here, not assigned: transitions
    # does not bind a name the model already has).
    state: str
    trigger: Callable[..., bool]

    def __init__(self) -> None:
        self.origin: str | None = None

    def returns_to(self, step: str) -> bool:
        return self.origin == step


def transition_table(p: Protocol) -> list[dict[str, Any]]:
    """Every edge of the flow; conditioned returns use `origin`."""
    edges: list[dict[str, Any]] = []
    for step in p.steps.values():
        for word, tr in step.on.items():
            if tr.target:
                edges.append(_edge(f"cmd_{word}", step.id, tr.target))
        for rule in p.rules_in(step):
            if rule.target:
                edges.append(_edge(f"cmd_{rule.command}", step.id, rule.target))
        if step.then:
            edges.append(_edge("then", step.id, step.then))
        if step.kind == "treatment":
            edges += _check_edges(step.id)
    return edges


def _check_edges(sid: str) -> list[dict[str, Any]]:
    back = {"conditions": [lambda model, s=sid: model.returns_to(s)]}
    edges = [_edge("cmd_tender", sid, TP_REFERS)]
    edges += [_edge(f"cmd_{w}", sid, TP_HOLD) for w in ("refers", "local")]
    edges += [_edge(f"cmd_{w}", TP_REFERS, TP_HOLD) for w in ("refers", "local", "yes", "no")]
    edges += [_edge(f"cmd_{w}", TP_REFERS, sid, **back) for w in ("worse", "next", "back")]
    edges += [_edge(t, TP_HOLD, sid, **back) for t in ("cmd_fading", "cmd_worse", "hold_limit")]
    return edges


def _edge(trigger: str, source: str, dest: str, **extra: Any) -> dict[str, Any]:
    return {"trigger": trigger, "source": source, "dest": dest, **extra}


def states(p: Protocol) -> list[str]:
    return [*p.steps, *CHECK_STATES, CONFIRM, END]


def build_machine(p: Protocol, model: FlowModel) -> Machine:
    """The runtime machine; `to_<state>` moves (back, finish) come from auto transitions."""
    table = [_bind(e, model) for e in transition_table(p)]
    return Machine(model=model, states=states(p), transitions=table, initial=p.start,
                   auto_transitions=True, send_event=False)


def _bind(edge: dict[str, Any], model: FlowModel) -> dict[str, Any]:
    """Conditions in the table take the model; the machine calls them with no arguments."""
    if "conditions" not in edge:
        return edge
    return {**edge, "conditions": [lambda c=c: c(model) for c in edge["conditions"]]}
