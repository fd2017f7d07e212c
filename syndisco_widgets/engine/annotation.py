"""Annotation: annotator actors label every entry of finished discussions."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..checks import folder_path, instance_of, path_like, positive_whole_number, sequence_of, whole_number
from ..errors import ConfigError, DiscussionsFailedError, ModelError, TurnError
from ..models.labels import LabelChoice, checked_labels
from . import prompts
from .actors import Actor, ActorType
from .locks import WriterLock
from .logs import Logs
from .storage import EXPERIMENT_MANIFEST, JsonlLogWriter, read_jsonl_records

if TYPE_CHECKING:
    from pathlib import Path

    import pandas as pd

    from ..models.base import BaseModel, ChatPrompt, Completion
    from .entries import Entry


#: What stands in for the content in a baseline prompt (contextual calibration's content-free input).
CONTENT_FREE = "N/A"


def annotate(
    logs: Logs, annotator: Actor, history_context_len: int = 0, *, labels: Sequence[str] | None = None
) -> Logs:
    """Label each entry of ``logs`` with ``annotator`` and return the annotations.

    All prompts go to the model in one batched call. Each annotation keeps
    what it labelled: ``target`` (the entry's index), ``target_name`` and
    ``target_text``, plus ``context``, the earlier entries the annotator saw.

    Args:
        logs: The discussion to annotate (left unchanged).
        annotator: An actor of type ``ActorType.ANNOTATOR``; its instructions
            say what to label, e.g. "Rate the toxicity from 1 to 5".
        history_context_len: How many earlier entries the annotator also sees.
        labels: The label set, e.g. ``["1", "2", "3", "4", "5"]``: each
            annotation's text is then one of them, chosen as
            :meth:`~syndisco_widgets.models.BaseModel.choose_labels` says
            (a local model: by likelihood, probabilities kept in
            ``label_probabilities``). ``None``: the model's free text.
    """
    instance_of("annotate logs", logs, Logs, "a Logs object, e.g. discussion.logs or Logs.from_file(path)")
    check_annotator("annotate annotator", annotator)
    whole_number("history_context_len", history_context_len)
    label_set = None if labels is None else checked_labels(labels)
    entries = logs.entries()
    windows = [(max(0, i - history_context_len), i) for i in range(len(entries))]
    chats = [prompts.annotation_prompt(annotator, entries[start:end], entries[end]) for start, end in windows]
    try:
        replies = _answers(annotator.model, chats, label_set, [baseline_prompt(annotator)] * len(chats))
    except ModelError as exc:
        raise ModelError(f"annotating {len(entries)} entries with {annotator.name!r} failed: {exc}") from exc
    result = Logs()
    for index, (reply, (start, end)) in enumerate(zip(replies, windows, strict=True)):
        result.add(_annotation(annotator, entries[index], index, (start, end), reply))
    return result


def check_annotator(label: str, annotator: object) -> Actor:
    """Return ``annotator`` if it is an Actor of type ANNOTATOR; else say how to build one."""
    if not isinstance(annotator, Actor) or annotator.actor_type is not ActorType.ANNOTATOR:
        raise ConfigError(
            f"{label} must be an Actor with actor_type=ActorType.ANNOTATOR, got {annotator!r:.80}"
        )
    return annotator


@dataclass(frozen=True)
class _Task:
    """One annotator labelling one discussion, written to its own file."""

    discussion: str
    logs: Logs
    annotator: Actor
    path: Path


class AnnotationExperiment:
    """Label every entry of many discussions with every annotator, batched and resumable.

    Args:
        annotators: Actors of type ``ActorType.ANNOTATOR``.
        discussion_logs: What to label: one :class:`Logs` (as in SynDisco), a
            list of them, or run files, exports and experiment folders (a
            path or a list of paths).
        history_ctx_len: How many earlier entries the annotator also sees.
        labels: The label set (e.g. ``["1", "2", "3", "4", "5"]``); each
            annotation is then one of them, as for :func:`annotate`.
            ``None``: the model's free text.

    ``begin(output_dir)`` writes one annotation log per discussion and
    annotator (``<discussion>__<annotator>.jsonl``) as labels come in, and a
    second ``begin()`` on the folder continues where the files stop.
    """

    def __init__(
        self,
        annotators: Sequence[Actor],
        discussion_logs: Logs | str | os.PathLike[str] | Sequence[Logs | str | os.PathLike[str]],
        history_ctx_len: int = 3,
        *,
        labels: Sequence[str] | None = None,
    ) -> None:
        if isinstance(annotators, Actor):
            annotators = [annotators]
        self.annotators = sequence_of("annotators", annotators, Actor, what="annotator Actors")
        if not self.annotators:
            raise ConfigError(
                "annotators must be a non-empty list of Actors with actor_type=ActorType.ANNOTATOR"
            )
        for i, actor in enumerate(self.annotators):
            check_annotator(f"annotators[{i}]", actor)
        names = [a.name for a in self.annotators]
        if len(set(names)) != len(names):
            raise ConfigError(f"annotators need unique usernames, got {names}")
        self.discussions = _discussions(discussion_logs)
        self.history_ctx_len = whole_number("history_ctx_len", history_ctx_len)
        self.labels = None if labels is None else checked_labels(labels)

    def begin(
        self, output_dir: str | os.PathLike[str], verbose: bool = True, *, batch_size: int = 32
    ) -> pd.DataFrame:
        """Annotate everything not yet annotated in ``output_dir``; return all labels as a frame.

        Raises:
            RunLockedError: another process is annotating into this folder.
            ConfigError: a file in the folder was made with other settings (named).
            DiscussionsFailedError: some annotation logs stopped at a failed
                label; the others are complete and ``begin()`` again retries.
        """
        from tqdm.auto import tqdm

        folder = folder_path("output_dir", output_dir)
        batch_size = positive_whole_number("batch_size", batch_size)
        folder.mkdir(parents=True, exist_ok=True)
        lock = WriterLock(folder / "annotation.lock", f"annotation folder {folder}")
        try:
            tasks = self._tasks(folder)
            writers, todo = self._open(tasks)
            failures: dict[int, TurnError] = {}
            try:
                with tqdm(
                    total=sum(len(t) for t in todo.values()), desc="Labels", disable=not verbose
                ) as bar:
                    self._label(tasks, writers, todo, batch_size, failures, bar)
            finally:
                for writer in writers.values():
                    writer.close()
        finally:
            lock.release()
        if failures:
            raise DiscussionsFailedError(failures, None, kinds=dict.fromkeys(failures, "annotation"))
        return labels_frame(t.path for t in tasks)

    # -- internals --------------------------------------------------------------
    def _tasks(self, folder: Path) -> list[_Task]:
        tasks = []
        for d, (label, logs) in enumerate(self.discussions):
            for a, annotator in enumerate(self.annotators):
                name = f"{d:04d}-{_safe(label)}__{a:02d}-{_safe(annotator.name)}.jsonl"
                tasks.append(_Task(label, logs, annotator, folder / name))
        return tasks

    def _settings(self, task: _Task) -> dict[str, Any]:
        return {
            "discussion": task.discussion,
            "discussion_id": task.logs.id,
            "annotator": task.annotator.name,
            "annotator_prompt": task.annotator.describe(),
            "model": task.annotator.model.describe(),
            "history_ctx_len": self.history_ctx_len,
            **({} if self.labels is None else {"labels": list(self.labels)}),
        }

    def _open(self, tasks: list[_Task]) -> tuple[dict[int, JsonlLogWriter], dict[int, list[int]]]:
        """A writer per unfinished task, and which entries each still needs."""
        writers: dict[int, JsonlLogWriter] = {}
        todo: dict[int, list[int]] = {}
        try:
            for i, task in enumerate(tasks):
                done = 0
                settings = self._settings(task)
                if task.path.exists():
                    header, records = read_jsonl_records(task.path)
                    _check_header(task.path, header, settings)
                    done = len(records)
                    if done >= len(task.logs):
                        continue
                    writers[i] = JsonlLogWriter(task.path, resume=True)
                    if not header:
                        writers[i].rewrite_header(settings)
                else:
                    writers[i] = JsonlLogWriter(task.path, metadata=settings)
                todo[i] = list(range(done, len(task.logs)))
        except BaseException:
            for writer in writers.values():
                writer.close()
            raise
        return writers, todo

    def _label(
        self,
        tasks: list[_Task],
        writers: dict[int, JsonlLogWriter],
        todo: dict[int, list[int]],
        batch_size: int,
        failures: dict[int, TurnError],
        bar: Any,
    ) -> None:
        """Send every missing label, grouped by model, in chunks; write each as it comes."""
        groups: dict[int, list[tuple[int, int]]] = {}
        for i, targets in todo.items():
            groups.setdefault(id(tasks[i].annotator.model), []).extend((i, t) for t in targets)
        for items in groups.values():
            for start in range(0, len(items), batch_size):
                chunk = [(i, t) for i, t in items[start : start + batch_size] if i not in failures]
                if not chunk:
                    continue
                model = tasks[chunk[0][0]].annotator.model
                prompts_ = [self._prompt(tasks[i], t) for i, t in chunk]
                baselines = [baseline_prompt(tasks[i].annotator) for i, _ in chunk]
                replies = _replies(model, prompts_, self.labels, baselines)
                for (i, t), reply in zip(chunk, replies, strict=True):
                    if i in failures:
                        continue
                    if isinstance(reply, BaseException):
                        failures[i] = TurnError(
                            f"{tasks[i].annotator.name} labelling entry {t} of {tasks[i].discussion} failed: "
                            f"{reply}. Labels before it are kept in {tasks[i].path.name}.",
                            speaker=tasks[i].annotator.name,
                            turn=t,
                        )
                        continue
                    writers[i].write(self._entry(tasks[i], t, reply))
                    bar.update(1)

    def _prompt(self, task: _Task, target: int) -> ChatPrompt:
        start = max(0, target - self.history_ctx_len)
        return prompts.annotation_prompt(task.annotator, task.logs.entries(start, target), task.logs[target])

    def _entry(self, task: _Task, target: int, reply: Completion | LabelChoice) -> Entry:
        window = (max(0, target - self.history_ctx_len), target)
        return _annotation(task.annotator, task.logs[target], target, window, reply)


def labels_frame(paths: Iterable[Path]) -> pd.DataFrame:
    """One row per label in annotation logs: discussion, entry, annotator, model, label, target."""
    import pandas as pd

    rows = []
    for path in paths:
        if not path.exists():
            continue
        header, records = read_jsonl_records(path)
        discussion = header.get("metadata", {}).get("discussion", path.stem)
        for _, record in records:
            entry = record["entry"]
            rows.append(
                {
                    "discussion": discussion,
                    "entry": entry.get("target"),
                    "annotator": entry["name"],
                    "model": entry["model"],
                    "label": entry["text"],
                    "target_name": entry.get("target_name"),
                    "target_text": entry.get("target_text"),
                }
            )
    columns = ["discussion", "entry", "annotator", "model", "label", "target_name", "target_text"]
    return pd.DataFrame(rows, columns=columns)


def baseline_prompt(annotator: Actor) -> ChatPrompt:
    """The annotator's prompt with the content left out ("N/A"), for calibrating label scores."""
    return prompts.annotation_prompt(annotator, [], {"name": CONTENT_FREE, "text": CONTENT_FREE})


def _answers(
    model: BaseModel,
    chats: Sequence[ChatPrompt],
    labels: tuple[str, ...] | None,
    baselines: Sequence[ChatPrompt],
) -> list[Completion | LabelChoice]:
    """Free-text replies, or label choices when there is a label set (one batched call)."""
    if labels is None:
        return list(model.complete_batch(chats))
    return list(model.choose_labels(chats, labels, baselines=baselines))


def _replies(
    model: BaseModel, chats: list[ChatPrompt], labels: tuple[str, ...] | None, baselines: list[ChatPrompt]
) -> list[Completion | LabelChoice | BaseException]:
    """Batched answers; if the batch fails, each prompt alone so one bad label fails alone."""
    try:
        return list(_answers(model, chats, labels, baselines))
    except ModelError as exc:
        if len(chats) == 1:
            return [exc]
    return [_alone(model, chat, labels, base) for chat, base in zip(chats, baselines, strict=True)]


def _alone(
    model: BaseModel, chat: ChatPrompt, labels: tuple[str, ...] | None, baseline: ChatPrompt
) -> Completion | LabelChoice | BaseException:
    try:
        return _answers(model, [chat], labels, [baseline])[0]
    except ModelError as exc:
        return exc


def _annotation(
    annotator: Actor, target: Entry, index: int, window: tuple[int, int], reply: Completion | LabelChoice
) -> Entry:
    """The annotation entry for one labelled entry; a label choice adds how it was chosen."""
    if isinstance(reply, LabelChoice):
        text_ = reply.raw_text if reply.label is None else reply.label
        chosen: dict[str, Any] = {"label": reply.label, "label_method": reply.method}
        if reply.probabilities is not None:
            chosen["label_probabilities"] = reply.probabilities
        if reply.raw_text and reply.raw_text != reply.label:
            chosen["raw_text"] = reply.raw_text
    else:
        text_, chosen = reply.text, {}
    return annotator.reply_entry(
        text_, reply, window, target=index, target_name=target["name"], target_text=target["text"], **chosen
    )


def _check_header(path: Path, header: dict[str, Any], settings: dict[str, Any]) -> None:
    """Refuse to continue an annotation log made with other settings, naming the first difference."""
    saved = header.get("metadata", {})
    for key, value in settings.items():
        if header and saved.get(key) != value:
            raise ConfigError(
                f"{path} was made with {key} {saved.get(key)!r:.80}, not {value!r:.80}; "
                "use a new output folder or the same annotators, discussions and settings"
            )


def _discussions(source: object) -> list[tuple[str, Logs]]:
    """``(label, logs)`` for each discussion to annotate, in a stable order."""
    items = [source] if isinstance(source, (Logs, str, os.PathLike)) else source
    if isinstance(items, (bytes, Mapping)) or not isinstance(items, Sequence) or not items:
        raise ConfigError(
            "discussion_logs must be Logs, a run file or folder, or a non-empty list of those, "
            f"got {type(source).__name__} {source!r:.60}"
        )
    found: list[tuple[str, Logs]] = []
    for i, item in enumerate(items):
        if isinstance(item, Logs):
            found.append((f"logs-{i}", item))
        elif isinstance(item, (str, os.PathLike)):
            found.extend(_from_path(path_like(f"discussion_logs[{i}]", item)))
        else:
            raise ConfigError(f"discussion_logs[{i}] must be Logs or a path, got {type(item).__name__}")
    return found


def _from_path(path: Path) -> list[tuple[str, Logs]]:
    if path.is_dir():
        files = sorted(p for p in path.glob("*.jsonl") if p.is_file() and "__" not in p.name)
        files += sorted(p for p in path.glob("*.json") if p.is_file() and p.name != EXPERIMENT_MANIFEST)
        if not files:
            raise ConfigError(f"discussion_logs folder {path} holds no .jsonl or .json discussion files")
        return [(p.stem, Logs.from_file(p)) for p in files]
    return [(path.stem, Logs.from_file(path))]


def _safe(name: str) -> str:
    """A file-name-safe form of a label."""
    return re.sub(r"[^A-Za-z0-9_-]+", "_", name)[:40] or "x"
