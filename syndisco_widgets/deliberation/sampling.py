"""How deliberation agents sample: per-call options, and seeds a run can be repeated from.

The reference library's hosted models sample at temperature 1 unless told
otherwise, so agents here do the same: an agent's ``kwargs`` (``temperature``,
``max_tokens``, ``top_p``, ``seed``, ``stop``) are laid over
:data:`DEFAULT_OPTIONS` and sent with every call, whatever kind of model it
uses. ``kwargs={"temperature": 0}`` gives greedy decoding.

Every call also gets a seed. In a structure it is derived from the run's seed
and the call's place in the run (:func:`derive_seed`), so running again with
``seed=structure.last_seed`` repeats the run exactly; an agent answering on
its own draws a fresh seed and records it in its ``history``. A ``seed`` in
``kwargs`` is used for every call instead, as the reference passes it on.
"""

from __future__ import annotations

import dataclasses
import hashlib
import random
from typing import TYPE_CHECKING

from ..models.base import GenerationOptions

if TYPE_CHECKING:
    from collections.abc import Mapping

#: Sampling settings of an agent whose ``kwargs`` say nothing else.
DEFAULT_OPTIONS = GenerationOptions(temperature=1.0)

_SEED_SPACE = 2**63


def options_from_kwargs(kwargs: Mapping[str, object] | None, owner: str) -> GenerationOptions:
    """``kwargs`` (reference-style keys) over :data:`DEFAULT_OPTIONS`; unknown keys refused by name."""
    return GenerationOptions.from_kwargs(kwargs, label=f"{owner} kwargs").over(DEFAULT_OPTIONS)


def fresh_seed() -> int:
    """A new random seed (from the operating system, not the global RNG)."""
    return random.SystemRandom().randrange(_SEED_SPACE)


def derive_seed(run_seed: int, *where: object) -> int:
    """A seed for one call, from the run's seed and the call's place in the run."""
    digest = hashlib.sha256(repr((run_seed, *where)).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % _SEED_SPACE


def with_seed(options: GenerationOptions, seed: int) -> GenerationOptions:
    """``options`` with ``seed`` filled in, unless they carry their own."""
    return options if options.seed is not None else dataclasses.replace(options, seed=seed)
