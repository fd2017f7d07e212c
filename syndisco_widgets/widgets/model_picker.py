"""ModelPicker: choose and load a Hugging Face model (or the tiny offline demo) on a thread."""

from __future__ import annotations

import threading
from typing import Any

import ipywidgets as widgets
import traitlets

from ..models import BaseModel, is_demo_model, model_path_from_env
from ..models.tiny import TINY_MODEL_LABEL  # a constant; torch is imported only when building
from ._style import classed, style_widget

__all__ = ["DEFAULT_MODEL_ID", "DEMO_LABEL", "ModelPicker"]

#: A small instruct model that runs on a laptop CPU.
DEFAULT_MODEL_ID = "Qwen/Qwen2.5-0.5B-Instruct"
DEMO_LABEL = "offline demo (tiny random model — meaningless text)"


class ModelPicker(widgets.VBox):
    """Pick a model by Hugging Face id or local path and load it without freezing the notebook.

    Args:
        model: A ready :class:`BaseModel` to use as ``value`` right away.
        model_path: Initial id or path (default: ``$SYNDISCO_MODEL`` or a small Qwen instruct model).
        max_new_tokens, temperature, seed: Initial generation settings
            (temperature 0 means greedy decoding).
        demo: Start with the offline tiny-model option ticked.

    ``value`` (a traitlet) is the loaded model, or None. ``load()`` starts
    loading on a thread; ``wait()`` blocks until it is done.
    """

    value = traitlets.Instance(BaseModel, allow_none=True)
    loading = traitlets.Bool(False)

    def __init__(
        self,
        model: BaseModel | None = None,
        *,
        model_path: str | None = None,
        max_new_tokens: int = 96,
        temperature: float = 0.7,
        seed: int | None = 0,
        demo: bool = False,
        **kwargs: Any,
    ) -> None:
        self._thread: threading.Thread | None = None
        self.model_path = widgets.Text(
            value=model_path or model_path_from_env() or DEFAULT_MODEL_ID,
            description="Model",
            placeholder="Hugging Face id or local folder",
            layout=widgets.Layout(width="100%", max_width="480px"),
        )
        self.demo = widgets.Checkbox(
            value=demo, description=DEMO_LABEL, indent=False, layout=widgets.Layout(width="auto")
        )
        self.max_new_tokens = widgets.BoundedIntText(
            value=max_new_tokens, min=1, max=8192, description="Max new tokens"
        )
        self.temperature = widgets.BoundedFloatText(
            value=temperature, min=0.0, max=2.0, step=0.1, description="Temperature"
        )
        self.seed = widgets.Text(
            value="" if seed is None else str(seed), description="Seed", placeholder="empty = unseeded"
        )
        for box in (self.model_path, self.max_new_tokens, self.temperature, self.seed):
            box.style.description_width = "9.5em"
        self.seed_error = classed(widgets.Label(""), "sdw-field-error", "sdw-wrap")
        self.load_button = classed(
            widgets.Button(
                description="Load",
                icon="download",
                button_style="primary",
                tooltip="Load the model (on a background thread)",
            ),
            "sdw-button",
            "sdw-load",
        )
        self.load_button.on_click(lambda _: self.load())
        self.progress = widgets.IntProgress(
            value=0, min=0, max=3, layout=widgets.Layout(width="160px", visibility="hidden")
        )
        self.status = classed(widgets.Label(""), "sdw-model-status", "sdw-wrap")
        self.demo_note = classed(
            widgets.HTML(
                '<span class="sdw-demo-note">The demo model has random weights: it writes meaningless text. '
                "Use it to try the controls offline; pick a real model for real discussions.</span>"
            ),
            "sdw-demo",
        )
        self.demo.observe(self._on_demo, names="value")
        self.observe(self._on_loading, names="loading")
        super().__init__(
            [
                style_widget(),
                self.model_path,
                self.demo,
                self.demo_note,
                widgets.HBox(
                    [self.max_new_tokens, self.temperature], layout=widgets.Layout(flex_flow="row wrap")
                ),
                widgets.HBox([self.seed, self.seed_error], layout=widgets.Layout(align_items="center")),
                widgets.HBox([self.load_button, self.progress], layout=widgets.Layout(align_items="center")),
                self.status,
            ],
            **kwargs,
        )
        classed(self, "sdw-model-picker", "sdw-panel")
        self._on_demo()
        if model is not None:
            self.use(model)

    # ------------------------------------------------------------------ public
    def use(self, model: BaseModel) -> None:
        """Take a ready model object as ``value``."""
        if not isinstance(model, BaseModel):
            raise TypeError(f"expected a BaseModel such as TransformersModel, got {type(model).__name__}")
        self.value = model
        # Show the model's own settings, so the form matches what is in use.
        self.max_new_tokens.value = min(model.max_out_tokens, self.max_new_tokens.max)
        if isinstance(getattr(model, "temperature", None), (int, float)):
            self.temperature.value = min(float(model.temperature), self.temperature.max)
        if hasattr(model, "seed"):
            self.seed.value = "" if model.seed is None else str(model.seed)
        if isinstance(getattr(model, "model_path", None), str) and not is_demo_model(model):
            self.model_path.value = model.model_path
        self._say(f"Using {model.name!r} ({type(model).__name__}).", "ok")

    def load(self) -> bool:
        """Start loading on a background thread; False if the settings are invalid or a load runs."""
        if self.loading:
            return False
        try:
            spec = self._spec()
        except ValueError as exc:
            self._say(str(exc), "error")
            return False
        self.loading = True
        self._thread = threading.Thread(
            target=self._load, args=(spec,), name="syndisco-model-load", daemon=True
        )
        self._thread.start()
        return True

    def wait(self, timeout: float | None = None) -> bool:
        """Block until a load started by :meth:`load` ends; True if it ended in time."""
        thread = self._thread
        if thread is None:
            return True
        thread.join(timeout)
        return not thread.is_alive()

    # ----------------------------------------------------------------- internals
    def _spec(self) -> dict[str, Any]:
        text = self.seed.value.strip()
        try:
            seed = int(text) if text else None
        except ValueError:
            self.seed_error.value = "a whole number, or empty"
            raise ValueError(f"Seed must be a whole number or empty, got {text!r}.") from None
        self.seed_error.value = ""
        model_id = self.model_path.value.strip()
        if not self.demo.value and not model_id:
            raise ValueError("Type a Hugging Face model id or a local folder, or tick the offline demo.")
        temperature = float(self.temperature.value)
        return {
            "demo": bool(self.demo.value),
            "model_path": model_id,
            "max_out_tokens": int(self.max_new_tokens.value),
            "temperature": temperature if temperature > 0 else None,
            "seed": seed,
        }

    def _load(self, spec: dict[str, Any]) -> None:
        from .. import models  # attributes resolve lazily: torch/transformers load only when needed

        try:
            if spec["demo"]:
                self._say("Building the tiny offline model…", "", step=1)
                path, name = str(models.build_tiny_model()), TINY_MODEL_LABEL
            else:
                path, name = spec["model_path"], spec["model_path"]
            self._say(f"Loading {name}…", "", step=2)
            model = models.TransformersModel(
                path,
                name,
                spec["max_out_tokens"],
                temperature=spec["temperature"],
                seed=spec["seed"],
            )
        except Exception as exc:  # ModelLoadError and anything unexpected: show it, keep the picker usable
            self._say(f"Could not load the model: {exc}", "error", step=0)
        else:
            self.value = model
            self._say(f"Loaded {name}.", "ok", step=3)
        finally:
            self.loading = False

    def _say(self, text: str, kind: str, step: int | None = None) -> None:
        with self.status.hold_sync():
            self.status.value = text
            for name in ("sdw-ok", "sdw-error"):
                self.status.remove_class(name)
            if kind:
                self.status.add_class(f"sdw-{kind}")
        if step is not None:
            self.progress.value = step

    def _on_demo(self, *_: Any) -> None:
        self.model_path.disabled = self.demo.value
        self.demo_note.layout.display = "" if self.demo.value else "none"

    def _on_loading(self, change: dict[str, Any]) -> None:
        self.load_button.disabled = change["new"]
        self.load_button.description = "Loading…" if change["new"] else "Load"
        self.progress.layout.visibility = "visible" if change["new"] else "hidden"
