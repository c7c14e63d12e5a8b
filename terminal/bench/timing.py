"""Timing: warm-up, repeated runs, percentiles; and the figure every measurement becomes."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass

import numpy as np

WARMUP = 3
REPEAT = 30


@dataclass(frozen=True, slots=True)
class Timing:
    p50_ms: float
    p95_ms: float


def measure(run: Callable[[], object], *, repeat: int = REPEAT, warmup: int = WARMUP) -> Timing:
    """p50 and p95 wall time of `run` over `repeat` calls, after `warmup` untimed ones."""
    for _ in range(warmup):
        run()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        samples.append((time.perf_counter() - start) * 1000)
    p50, p95 = np.percentile(samples, [50, 95])
    return Timing(round(float(p50), 3), round(float(p95), 3))


@dataclass(slots=True)
class Figure:
    """One line of the report: a value against its budget."""

    name: str
    value: float | None
    unit: str
    budget: str
    ok: bool
    p50_ms: float | None = None
    p95_ms: float | None = None
    baseline_p50_ms: float | None = None
    ratio: float | None = None
    note: str | None = None

    def as_json(self) -> dict[str, object]:
        """The figure's fields that apply (unset optional ones left out)."""
        return {k: v for k, v in asdict(self).items() if v is not None or k in ("value", "ok")}


def overhead_ok(p50_ms: float, baseline_ms: float) -> bool:
    """Catalyst may cost 2x its hand-written SQL or 2 ms more, whichever is larger."""
    return p50_ms <= max(2 * baseline_ms, baseline_ms + 2.0)


def query_figure(name: str, timing: Timing, baseline: Timing | None, *, budget_ms: float) -> Figure:
    """A query's figure: p95 against its budget and p50 against the hand-written SQL."""
    ratio = round(timing.p50_ms / baseline.p50_ms, 2) if baseline and baseline.p50_ms else None
    ok = timing.p95_ms <= budget_ms
    if baseline is not None:
        ok = ok and overhead_ok(timing.p50_ms, baseline.p50_ms)
    return Figure(
        name=name,
        value=timing.p95_ms,
        unit="ms",
        budget=f"p95 <= {budget_ms:g} ms; <= 2x or +2 ms over SQL",
        ok=ok,
        p50_ms=timing.p50_ms,
        p95_ms=timing.p95_ms,
        baseline_p50_ms=baseline.p50_ms if baseline else None,
        ratio=ratio,
    )
