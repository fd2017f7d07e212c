"""ModelPicker: the demo model, a Hugging Face model, or an OpenAI-compatible server, loaded on a thread."""

from __future__ import annotations

import html
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import ipywidgets as widgets
import traitlets

from ..checks import seed_text
from ..errors import ConfigError
from ..models import BaseModel, is_tiny_model, model_path_from_env
from ..models.demo import DEMO_SAMPLING
from ..wording import elapsed
from ._style import classed, style_widget
from .ui import button, note, set_note, text_box

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["DEMO_LABEL", "ModelPicker", "ModelSource"]

ModelSource = Literal["demo", "local", "server", "test"]
DEMO_LABEL = "Demo model (offline): SmolLM2-135M-Instruct, a small model whose answers are simple"
_LABEL_WIDTH = "7.5em"
_SOURCES: list[tuple[str, ModelSource]] = [
    ("Demo model", "demo"),
    ("Hugging Face / folder", "local"),
    ("Server", "server"),
    ("Test model", "test"),
]
_HINTS: dict[ModelSource, str] = {
    "demo": DEMO_LABEL + ". Runs on this computer; nothing is downloaded.",
    "local": "A Hugging Face id (downloaded once into the cache) or a local model folder.",
    "server": "Any OpenAI-compatible server (vLLM, transformers serve, a hosted API): URL and model name.",
    "test": "A tiny random-weight model for trying the controls: its text is meaningless.",
}


@dataclass(frozen=True)
class LoadSpec:
    """What to load, checked before the load thread starts."""

    source: ModelSource
    model_path: str
    server_url: str
    api_key: str
    max_out_tokens: int
    temperature: float | None
    seed: int | None


class ModelPicker(widgets.VBox):  # type: ignore[misc]  # ipywidgets is untyped
    """Pick a model and load it without freezing the notebook.

    Args:
        model: A ready :class:`BaseModel` to use as ``value`` right away.
        model_path: Initial Hugging Face id or folder (default: ``$SYNDISCO_MODEL``).
        max_new_tokens: Initial reply length.
        temperature: Initial temperature (0 means greedy decoding).
        seed: Initial seed (None: unseeded).
        demo: Start with the tiny test model chosen (meaningless text, for trying the controls).
        **kwargs: Passed on to the box.

    ``value`` (a traitlet) is the loaded model, or None. ``load()`` starts
    loading on a thread; ``wait()`` blocks until it is done.
    """

    # By name: type checkers refuse an abstract class where traitlets expects type[T].
    value = traitlets.Instance(
        klass=f"{BaseModel.__module__}.BaseModel", allow_none=True, help="the loaded model"
    )
    loading = traitlets.Bool(default_value=False, help="True while a model loads")

    def __init__(
        self,
        model: BaseModel | None = None,
        *,
        model_path: str | None = None,
        max_new_tokens: int = 96,
        temperature: float = DEMO_SAMPLING["temperature"],
        seed: int | None = 0,
        demo: bool = False,
        **kwargs: Any,
    ) -> None:
        self._thread: threading.Thread | None = None
        from_env = model_path or model_path_from_env()
        self._make_source(from_env, demo=demo)
        self._make_settings(max_new_tokens, temperature, seed)
        self._make_load_row()
        self.source.observe(self._on_source, names="value")
        self.observe(self._on_loading, names="loading")
        super().__init__(
            [
                style_widget(),
                self.source,
                self.source_hint,
                self._local_box,
                self._server_box,
                classed(widgets.HBox([self.max_new_tokens, self.temperature]), "sdw-toolbar"),
                widgets.HBox([self.seed, self.seed_error], layout=widgets.Layout(align_items="center")),
                widgets.HBox(
                    [self.load_button, self.spinner, self.status], layout=widgets.Layout(align_items="center")
                ),
                self.details,
            ],
            **kwargs,
        )
        classed(self, "sdw-model-picker", "sdw-panel")
        self._on_source()
        if model is not None:
            self.use(model)

    # ---------------------------------------------------------------- building
    def _make_source(self, from_env: str | None, *, demo: bool) -> None:
        """Where the model comes from: the choice, and the boxes each choice needs."""
        self.source = widgets.ToggleButtons(
            options=_SOURCES,
            value="test" if demo else ("local" if from_env else "demo"),
            style={"button_width": "auto"},
        )
        self.source_hint = classed(widgets.HTML(""), "sdw-hint")
        wide = _LABEL_WIDTH
        self.model_path = text_box(
            "Model", "e.g. Qwen/Qwen2.5-0.5B-Instruct or /path/to/folder", from_env or "", label_width=wide
        )
        self.server_url = text_box("Server URL", "http://127.0.0.1:8000/v1", label_width=wide)
        self.server_model = text_box("Model name", "the name the server knows", label_width=wide)
        self.api_key = widgets.Password(
            description="API key", placeholder="empty for a local server", layout=widgets.Layout(width="100%")
        )
        self.api_key.style.description_width = wide
        self._local_box = widgets.VBox([self.model_path])
        self._server_box = widgets.VBox([self.server_url, self.server_model, self.api_key])

    def _make_settings(self, max_new_tokens: int, temperature: float, seed: int | None) -> None:
        """Reply length, temperature and seed."""
        self.max_new_tokens = widgets.BoundedIntText(
            value=max_new_tokens, min=1, max=8192, description="Reply tokens"
        )
        self.temperature = widgets.BoundedFloatText(
            value=temperature, min=0.0, max=2.0, step=0.1, description="Temperature"
        )
        self.seed = text_box("Seed", "empty = unseeded", "" if seed is None else str(seed), width="")
        for box in (self.max_new_tokens, self.temperature, self.seed):
            box.style.description_width = _LABEL_WIDTH
        self.seed_error = note("sdw-field-error")

    def _make_load_row(self) -> None:
        """The Load button, a spinner while loading, and what happened."""
        self.load_button = classed(
            button("Load", "download", "Load the model (on a background thread)", style="primary"), "sdw-load"
        )
        self.load_button.on_click(lambda _: self.load())
        self.load_button.layout.flex = "0 0 auto"  # keeps its whole label beside a long status
        self.spinner = classed(
            widgets.HTML('<span class="sdw-spinner" aria-label="loading"></span>'), "sdw-busy"
        )
        self.spinner.layout.display = "none"
        self.status = note("sdw-model-status")
        self.details = classed(widgets.HTML(""), "sdw-details")

    # ------------------------------------------------------------------ public
    @property
    def demo(self) -> bool:
        """True when the tiny test model is chosen."""
        return bool(self.source.value == "test")

    def use(self, model: BaseModel) -> None:
        """Take a ready model object as ``value``.

        Raises:
            ConfigError: ``model`` is not a :class:`BaseModel`.
        """
        if not isinstance(model, BaseModel):
            raise ConfigError(
                f"model must be a BaseModel such as TransformersModel, got {type(model).__name__}"
            )
        self.value = model
        # Show the model's own settings, so the form matches what is in use.
        self.max_new_tokens.value = min(model.max_out_tokens, self.max_new_tokens.max)
        temperature = getattr(model, "temperature", None)
        if isinstance(temperature, (int, float)):
            self.temperature.value = min(float(temperature), self.temperature.max)
        model_seed = getattr(model, "seed", None)
        if model_seed is None or isinstance(model_seed, int):
            self.seed.value = "" if model_seed is None else str(model_seed)
        path = getattr(model, "model_path", None)
        if is_tiny_model(model):
            self.source.value = "test"
        elif isinstance(path, str) and _is_demo_path(model):
            self.source.value = "demo"
        elif isinstance(path, str):
            self.source.value = "local"
            self.model_path.value = path
        set_note(self.status, f"Using {model.name} ({type(model).__name__}).", "ok")

    def load(self) -> bool:
        """Start loading on a background thread; False (an inline message) if the settings are invalid."""
        if self.loading:
            return False
        try:
            spec = self._spec()
        except ConfigError as exc:
            set_note(self.status, str(exc), "error")
            return False
        self.loading = True
        self.details.value = ""
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
    def _spec(self) -> LoadSpec:
        try:
            seed = seed_text("Seed", self.seed.value)
        except ConfigError as exc:
            set_note(self.seed_error, "Seed: a whole number, or empty", "error")
            raise ConfigError(str(exc)) from None
        set_note(self.seed_error, "")
        source: ModelSource = self.source.value
        path = self.model_path.value.strip()
        if source == "local" and not path:
            raise ConfigError("Model: type a Hugging Face id or a local folder, or choose the demo model.")
        if source == "server":
            if not self.server_url.value.strip().startswith(("http://", "https://")):
                raise ConfigError(
                    "Server URL: must start with http:// or https://, e.g. http://127.0.0.1:8000/v1"
                )
            path = self.server_model.value.strip()
            if not path:
                raise ConfigError("Model name: type the model name the server serves.")
        temperature = float(self.temperature.value)
        return LoadSpec(
            source=source,
            model_path=path,
            server_url=self.server_url.value.strip(),
            api_key=self.api_key.value,
            max_out_tokens=int(self.max_new_tokens.value),
            temperature=temperature if temperature > 0 else None,
            seed=seed,
        )

    def _load(self, spec: LoadSpec) -> None:
        started = time.monotonic()
        done = threading.Event()
        what = {"demo": "the demo model", "test": "the test model", "server": spec.server_url}.get(
            spec.source, spec.model_path
        )

        def tick() -> None:  # elapsed time while it loads, once a second
            while not done.wait(1.0):
                set_note(self.status, f"Loading {what}… {elapsed(time.monotonic() - started)}", "info")

        set_note(self.status, f"Loading {what}…", "info")
        threading.Thread(target=tick, name="syndisco-model-load-clock", daemon=True).start()
        try:
            model = _build(spec)
        except Exception as exc:  # noqa: BLE001  any load failure is shown inline; the picker stays usable
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            set_note(self.status, f"Could not load the model: {first}", "error")
            self.details.value = (
                "<details><summary>Details</summary><pre class='sdw-pre'>"
                f"{html.escape(type(exc).__name__ + ': ' + str(exc), quote=False)}</pre></details>"
            )
        else:
            self.value = model
            set_note(self.status, f"Loaded {model.name} in {elapsed(time.monotonic() - started)}.", "ok")
        finally:
            done.set()
            self.loading = False

    def _on_source(self, *_: Any) -> None:
        source: ModelSource = self.source.value
        self._local_box.layout.display = "" if source == "local" else "none"
        self._server_box.layout.display = "" if source == "server" else "none"
        kind = "warn" if source == "test" else "hint"
        self.source_hint.value = f'<span class="sdw-{kind}">{html.escape(_HINTS[source])}</span>'

    def _on_loading(self, change: dict[str, Any]) -> None:
        self.load_button.disabled = change["new"]
        self.load_button.description = "Loading…" if change["new"] else "Load"
        self.spinner.layout.display = "" if change["new"] else "none"
        self.source.disabled = change["new"]


def _is_demo_path(model: BaseModel) -> bool:
    from ..models.demo import DEMO_MODEL_LABEL

    return model.name == DEMO_MODEL_LABEL


def _build(spec: LoadSpec) -> BaseModel:
    """Build the model ``spec`` asks for (imports the heavy libraries only here)."""
    settings: dict[str, Any] = {"max_out_tokens": spec.max_out_tokens, "temperature": spec.temperature}
    if spec.seed is not None:
        settings["seed"] = spec.seed
    builders: dict[ModelSource, Callable[[], BaseModel]] = {
        "demo": lambda: _demo(settings),
        "test": lambda: _test_model(settings),
        "local": lambda: _transformers(spec.model_path, settings),
        "server": lambda: _server(spec, settings),
    }
    return builders[spec.source]()


def _demo(settings: dict[str, Any]) -> BaseModel:
    from ..models.demo import demo_model

    return demo_model(**settings)


def _test_model(settings: dict[str, Any]) -> BaseModel:
    from .. import models
    from ..models.tiny import TINY_MODEL_LABEL

    # models.build_tiny_model resolves lazily (and tests can swap it).
    return _transformers(str(models.build_tiny_model()), settings, name=TINY_MODEL_LABEL)


def _transformers(path: str, settings: dict[str, Any], name: str | None = None) -> BaseModel:
    from ..models.transformers_model import TransformersModel

    return TransformersModel(path, name or path, **settings)


def _server(spec: LoadSpec, settings: dict[str, Any]) -> BaseModel:
    from ..models.openai_model import OpenAIModel

    return OpenAIModel(spec.model_path, api_key=spec.api_key or None, base_url=spec.server_url, **settings)
