"""A tiny random-weight Llama checkpoint, built offline, for tests and demos.

:func:`build_tiny_model` writes a real Hugging Face model folder (config,
weights, tokenizer with a chat template) that loads through exactly the same
code as a real model, e.g. ``TransformersModel(str(build_tiny_model()), ...)``.
The weights are random, so the replies are meaningless gibberish; use it to
test structure, streaming, stopping and batching, never content.

This module imports torch and transformers; it is loaded lazily by
``syndisco_widgets.models``.
"""

from __future__ import annotations

import os
import pathlib
import shutil
import tempfile

#: Label UIs can show next to replies made by the tiny model.
TINY_MODEL_LABEL = "tiny-random (meaningless output)"

# Bump when the recipe changes, so stale cached builds are rebuilt.
_RECIPE_VERSION = "2"
_MARKER = ".syndisco_tiny_complete"

_BOS, _EOS, _PAD, _UNK, _IM_START = "<s>", "<|im_end|>", "<pad>", "<unk>", "<|im_start|>"

# ChatML-style template: every message is <|im_start|>role\n...<|im_end|>\n.
_CHAT_TEMPLATE = (
    "{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)

# A short corpus to learn a few hundred byte-level BPE merges from.
_CORPUS = [
    "Welcome to the discussion. Today we talk about how a town should spend its budget.",
    "I think the library needs more money, because many people read there every day.",
    "That is a fair point, but the roads are in a bad state and people drive to work.",
    "As the moderator, I ask everyone to stay polite and to answer the previous speaker.",
    "Let me summarise: some of you want books, some want roads, and some want parks.",
    "Could you explain why you believe that? I would like to understand your reasons.",
    "I agree with you on the main idea, although I disagree with some of the details.",
    "The annotator rates each comment for toxicity and for how constructive it is.",
    "Please keep your reply short, respectful and on topic. Thank you for taking part.",
    "Some users on the forum were angry; others tried to calm the conversation down.",
    "What do you think about the new rules for online comments and content moderation?",
    "Every agent has a persona: a name, an age, a job, opinions and a way of speaking.",
    "The experiment runs many discussions with different models, prompts and seeds.",
    "Yes. No. Maybe. Why not? Because it matters to all of us, here and now, 1 2 3 4 5.",
]


def _default_dir(seed: int) -> pathlib.Path:
    """Per-user cache folder, honouring ``XDG_CACHE_HOME``."""
    base = os.environ.get("XDG_CACHE_HOME") or pathlib.Path("~/.cache").expanduser()
    name = "tiny-random-llama" if seed == 0 else f"tiny-random-llama-seed{seed}"
    return pathlib.Path(base) / "syndisco_widgets" / name


def _marker_text(seed: int) -> str:
    return f"recipe={_RECIPE_VERSION} seed={seed}\n"


def _is_complete(folder: pathlib.Path, seed: int) -> bool:
    marker = folder / _MARKER
    try:
        return marker.read_text(encoding="utf-8") == _marker_text(seed)
    except OSError:
        return False


def _write_checkpoint(folder: pathlib.Path, seed: int) -> None:
    """Train the tokenizer, create the random model and save both into ``folder``."""
    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

    from .progress import quiet_progress_bars

    specials = [_BOS, _EOS, _PAD, _UNK, _IM_START]
    byte_level = pre_tokenizers.ByteLevel(add_prefix_space=False)
    # Alphabet: printable ASCII plus tab and newline (in byte-level spelling),
    # so every generated token decodes to clean text. Other input characters
    # become <unk>, which is fine for a meaningless model.
    alphabet = [byte_level.pre_tokenize_str(chr(code))[0][0] for code in [9, 10, *range(32, 127)]]
    raw = Tokenizer(models.BPE(unk_token=_UNK))
    raw.pre_tokenizer = byte_level
    raw.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=400,
        min_frequency=1,
        special_tokens=specials,
        initial_alphabet=alphabet,
        show_progress=False,
    )
    raw.train_from_iterator(_CORPUS, trainer=trainer)

    tokenizer = PreTrainedTokenizerFast(  # type: ignore[no-untyped-call]  # untyped upstream
        tokenizer_object=raw,
        bos_token=_BOS,
        eos_token=_EOS,
        pad_token=_PAD,
        unk_token=_UNK,
        additional_special_tokens=[_IM_START],
    )
    tokenizer.chat_template = _CHAT_TEMPLATE

    config = LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=64,
        intermediate_size=128,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=4096,
        tie_word_embeddings=True,
        # Wider than the usual 0.02, so greedy replies vary instead of
        # repeating one token.
        initializer_range=0.2,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
    )
    # Seed without disturbing the caller's global RNG state.
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = LlamaForCausalLM(config)
    with quiet_progress_bars():  # no "Writing model shards" noise
        model.save_pretrained(folder)
        tokenizer.save_pretrained(folder)
    (folder / "README.md").write_text(
        "# tiny-random-llama\n\n"
        "Built offline by `syndisco_widgets.models.build_tiny_model` "
        f"(seed={seed}).\n\n"
        "The weights are **random**: the output is meaningless gibberish. "
        "It exists only to test and demo the real loading, streaming, stopping "
        "and batching code paths without downloading a model.\n",
        encoding="utf-8",
    )
    # Written last: its presence means the folder is complete.
    (folder / _MARKER).write_text(_marker_text(seed), encoding="utf-8")


def build_tiny_model(path: str | os.PathLike[str] | None = None, *, seed: int = 0) -> pathlib.Path:
    """Build (or reuse) a tiny random-weight Llama checkpoint folder, offline.

    The folder holds ``config.json``, the weights, a byte-level BPE tokenizer
    with a ChatML-style chat template, and a ``README.md`` saying the output is
    meaningless. A complete earlier build with the same seed is reused.
    The build goes into a temporary sibling folder that is renamed into place,
    so a crash never leaves a half-written folder behind.

    Args:
        path: Target folder. Default: ``$XDG_CACHE_HOME/syndisco_widgets/tiny-random-llama``
            (``~/.cache/...`` when ``XDG_CACHE_HOME`` is unset).
        seed: Seed for the random weights.

    Returns:
        The folder, ready for ``TransformersModel(str(folder), ...)``.
    """
    folder = pathlib.Path(path).expanduser() if path is not None else _default_dir(seed)
    folder = folder.absolute()
    if _is_complete(folder, seed):
        return folder
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = pathlib.Path(tempfile.mkdtemp(prefix=f".{folder.name}.building-", dir=folder.parent))
    try:
        _write_checkpoint(staging, seed)
        if folder.exists():
            # An incomplete or outdated folder: move it aside, then drop it.
            stale = pathlib.Path(tempfile.mkdtemp(prefix=f".{folder.name}.stale-", dir=folder.parent))
            folder.replace(stale / "old")
            shutil.rmtree(stale, ignore_errors=True)
        try:
            staging.rename(folder)
        except OSError:
            # Another process finished first; use its build if it is complete.
            if not _is_complete(folder, seed):
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return folder
