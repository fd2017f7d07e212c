"""A SynDisco-style custom model for the port-in tests."""

from __future__ import annotations

from syndisco_widgets.compat import syndisco


class EchoModel(syndisco.BaseModel):
    """A SynDisco-style custom model: writes only ``_generate_response``.

    Replies ``"<name> #<n>"`` and records every (system, user) pair it was sent.
    """

    def __init__(
        self, name: str = "echo", fail_on_call: int | None = None, blank_on_call: int | None = None
    ) -> None:
        super().__init__(name, 64, ["<junk>"])
        self.calls: list[tuple[str, str]] = []
        self.fail_on_call = fail_on_call
        self.blank_on_call = blank_on_call

    def _generate_response(self, system_prompt: str, user_prompt: str) -> str:
        self.calls.append((system_prompt, user_prompt))
        n = len(self.calls)
        if n == self.fail_on_call:
            raise RuntimeError("the server went away")
        if n == self.blank_on_call:
            return "   "
        return f"{self.name} #{n}<junk>"
