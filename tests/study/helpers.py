"""The full study every test starts from."""

from __future__ import annotations

FULL = {
    "version": 1,
    "name": "town budget",
    "description": "Two residents and a moderator talk about the budget.",
    "personas": [
        {"username": "Ann", "age": 34, "personality_characteristics": ["curious"]},
        {"username": "Bob", "current_employment": "driver", "extra": {"town": "Ely"}},
        {"username": "Cy"},
    ],
    "context": "A town forum about next year's budget.",
    "instructions": "Reply in one or two sentences.",
    "turn_manager": {"kind": "random_weighted", "p_respond": 0.4, "seed": 11},
    "conv_len": 3,
    "history_context_len": 4,
    "moderator": {"persona": {"username": "Mo"}, "instructions": "Keep it civil.", "every": 2},
    "seed_opinions": [{"user": "Ann", "text": "The library needs more money."}],
    "model": {"kind": "demo"},
    "generation": {"temperature": 0.8, "top_p": 0.9, "max_new_tokens": 8, "seed": 5},
    "experiment": {"num_discussions": 2, "num_active_users": 2, "seed": 3},
    "price": {"input_per_million": 0.15, "output_per_million": 0.6, "currency": "EUR"},
}
