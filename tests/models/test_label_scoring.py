import pytest
import torch

from syndisco_widgets.models import ChatPrompt, TransformersModel


def manual_score(model, prompt, label):
    """The label's log-likelihood after the prompt, from one unpadded forward pass."""
    tok = model.tokenizer
    prompt_ids = tok(model.format_prompt(prompt), add_special_tokens=not model.uses_chat_template)[
        "input_ids"
    ]
    label_ids = tok(label, add_special_tokens=False)["input_ids"] + [tok.eos_token_id]
    ids = torch.tensor([prompt_ids + label_ids])
    with torch.inference_mode():
        log_probs = torch.log_softmax(model.model(input_ids=ids).logits.float()[0], dim=-1)
    return sum(float(log_probs[len(prompt_ids) - 1 + j, t]) for j, t in enumerate(label_ids))


def test_label_scores_are_each_labels_likelihood_in_one_padded_batch(tiny_path):
    model = TransformersModel(tiny_path, "tiny", 8)
    prompts = [
        ChatPrompt.single("Rate it.", "short"),
        ChatPrompt.single("Rate it.", "a much longer message " * 5),
    ]
    labels = ["yes", "no", "not sure at all"]
    scores = model.score_labels(prompts, labels)
    for prompt, row in zip(prompts, scores, strict=True):
        assert row == [pytest.approx(manual_score(model, prompt, label), abs=1e-3) for label in labels]
    choices = model.choose_labels(prompts, labels)
    for row, choice in zip(scores, choices, strict=True):
        assert choice.method == "likelihood"
        assert choice.label == labels[row.index(max(row))]
        assert sum(choice.probabilities.values()) == pytest.approx(1.0, abs=1e-5)
