"""What practice needs from later packages, wired once by the app factory.

Practice comes before learning on the candidate's path, so it never imports it. The
picker's skill weaknesses (read from the spaced-repetition schedule learning writes)
reach it as a provider that `create_app` registers:

    practice_wiring.configure(app, weakness=learning.schedule.skill_weakness)

Routes (the edge) call `weakness_for(user_id)` and pass the result to
`starting.start_round` / `loops.start_loop_step` as their `weakness` argument.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from flask import Flask, current_app

WeaknessProvider = Callable[[int], Mapping[str, float]]

_KEY = "practice.weakness"


def configure(app: Flask, *, weakness: WeaknessProvider) -> None:
    """Register the provider of a candidate's skill weaknesses for this app."""
    app.extensions[_KEY] = weakness


def weakness_for(user_id: int) -> Mapping[str, float] | None:
    """The candidate's skill area -> weakness in [0, 1], or None (no provider, no scores)."""
    provider = current_app.extensions.get(_KEY)
    return (provider(user_id) or None) if provider is not None else None
