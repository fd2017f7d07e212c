"""Checks ``generation_kwargs`` against transformers' ``GenerationConfig`` before a model loads.

Unknown keys are refused with the closest known names, and the settings that
matter most are checked for type and range, so a typo or a wrong value fails
at construction with a message that names the key and the fix, not late,
raw or silently inside ``generate``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ..checks import did_you_mean, finite_number, mapping, text_sequence, whole_number
from ..errors import ConfigError

Check = Callable[[str, Any], Any]

# Fields that describe a config rather than decoding; never set by hand.
_INTERNAL = frozenset({"_from_model_config", "transformers_version"})


def _number_above_zero(label: str, value: Any) -> float:
    number = finite_number(label, value)
    if number <= 0:
        raise ConfigError(f"{label} must be > 0, got {value!r}")
    return number


def _unit_interval_open_left(label: str, value: Any) -> float:
    number = finite_number(label, value, 0.0, 1.0)
    if number <= 0:
        raise ConfigError(f"{label} must be in (0, 1], got {value!r}")
    return number


def _flag(label: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(f"{label} must be True or False, got {value!r}")
    return value


def _stop_strings(label: str, value: Any) -> list[str]:
    strings = [value] if isinstance(value, str) else text_sequence(label, value)
    if any(not s for s in strings):
        raise ConfigError(f"{label} must not contain an empty string")
    return strings


def _token_ids(label: str, value: Any) -> int | list[int]:
    if isinstance(value, (list, tuple)):
        return [whole_number(f"{label}[{i}]", v) for i, v in enumerate(value)]
    return whole_number(label, value)


def _whole_from(low: int) -> Check:
    """A whole number of at least ``low``."""
    return lambda label, value: whole_number(label, value, low=low)


def _number_from(low: float, high: float | None = None) -> Check:
    """A finite number of at least ``low`` (and at most ``high``)."""
    return lambda label, value: finite_number(label, value, low, high)


def _only(expected: object, why: str) -> Check:
    def check(label: str, value: Any) -> Any:
        if value != expected or type(value) is not type(expected):
            raise ConfigError(f"{label} must be {expected!r} here ({why}), got {value!r}")
        return value

    return check


#: How each commonly used ``GenerationConfig`` field is checked.
FIELD_CHECKS: Mapping[str, Check] = {
    "temperature": _number_from(0.0),
    "top_p": _unit_interval_open_left,
    "typical_p": _unit_interval_open_left,
    "min_p": _number_from(0.0, 1.0),
    "top_k": _whole_from(0),
    "num_beams": _whole_from(1),
    "num_beam_groups": _whole_from(1),
    "repetition_penalty": _number_above_zero,
    "encoder_repetition_penalty": _number_above_zero,
    "length_penalty": finite_number,
    "diversity_penalty": _number_from(0.0),
    "max_new_tokens": _whole_from(1),
    "min_new_tokens": _whole_from(0),
    "max_length": _whole_from(1),
    "min_length": _whole_from(0),
    "no_repeat_ngram_size": _whole_from(0),
    "max_time": _number_above_zero,
    "do_sample": _flag,
    "use_cache": _flag,
    "renormalize_logits": _flag,
    "remove_invalid_values": _flag,
    "stop_strings": _stop_strings,
    "pad_token_id": _token_ids,
    "eos_token_id": _token_ids,
    "bos_token_id": _token_ids,
    "num_return_sequences": _only(expected=1, why="one reply per prompt"),
    "return_dict_in_generate": _only(expected=False, why="replies are read from the generated token ids"),
}


def known_generation_fields() -> list[str]:
    """Every field name ``GenerationConfig`` accepts."""
    from transformers import GenerationConfig

    defaults = GenerationConfig()  # type: ignore[no-untyped-call]  # untyped upstream
    return sorted(set(defaults.to_dict()) - _INTERNAL)


def checked_generation_kwargs(kwargs: Any, *, label: str = "generation_kwargs") -> dict[str, Any]:
    """Return ``kwargs`` as a dict once every key is a ``GenerationConfig`` field and every value fits.

    Raises:
        ConfigError: a key is unknown (the message lists close names) or a
            value has the wrong type or range (the message names the key).
    """
    values = mapping(label, kwargs)
    known = known_generation_fields()
    checked: dict[str, Any] = {}
    for key, value in values.items():
        if key not in known:
            close = did_you_mean(key, known)
            hint = f"{close} " if close else ""
            raise ConfigError(
                f"{label}: unknown generation setting {key!r}; {hint}"
                "It must be a transformers GenerationConfig field, e.g. 'temperature', 'top_p', "
                "'top_k', 'repetition_penalty', 'max_new_tokens', 'stop_strings'"
            )
        check = FIELD_CHECKS.get(key)
        checked[key] = value if check is None else check(f"{label}[{key!r}]", value)
    return checked
