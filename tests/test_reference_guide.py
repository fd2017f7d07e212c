"""Every cell of the user's discussion walkthrough runs unchanged.

The cells below are the user's code from ``shared/reference/discussion-guide.txt``
(re-indented: the text copy lost its indentation). Only two things differ,
as the brief allows: the import names our package, and ``model_path``
points at the tiny offline model instead of a hub id.
"""

from __future__ import annotations

import itertools
import json

import pytest

GUIDE_CELLS = {
    2: """
import syndisco_widgets as syndisco
llm = syndisco.TransformersModel(
    model_path=MODEL_PATH,
    name="test_model",
    max_out_tokens=100,
)
""",
    3: """
persona_data = [
    {
        "username": "Emma35",
        "age": 38,
        "sex": "female",
        "education_level": "Bachelor's",
        "sexual_orientation": "Heterosexual",
        "demographic_group": "Latino",
        "current_employment": "Registered Nurse",
        "special_instructions": "",
        "personality_characteristics": [
            "compassionate",
            "patient",
            "diligent",
            "overwhelmed",
        ],
    },
    {
        "username": "Giannis",
        "age": 21,
        "sex": "male",
        "education_level": "College",
        "sexual_orientation": "Pansexual",
        "demographic_group": "White",
        "current_employment": "Game Developer",
        "special_instructions": "",
        "personality_characteristics": [
            "strategic",
            "meticulous",
            "nerdy",
            "hyper-focused",
        ],
    },
]
personas = [syndisco.Persona(**data) for data in persona_data]
for persona in personas:
    print(persona)
""",
    4: """
CONTEXT = "You are taking part in an online conversation"
INSTRUCTIONS = "Act like a human would"
actors = [
    syndisco.Actor(
        model=llm,
        persona=p,
        actor_type=syndisco.ActorType.USER,
        context=CONTEXT,
        instructions=INSTRUCTIONS
    )
    for p in personas
]
""",
    5: """
rrobin_turn_manager = syndisco.RoundRobin(["John", "Mary", "Howard", "Todd"])
for i in range(10):
    print(next(rrobin_turn_manager))
""",
    6: """
rweighted_turn_manager = syndisco.RandomWeighted(
    names=["John", "Mary", "Howard", "Todd"], p_respond=0.5
)
for i in range(10):
    print(next(rweighted_turn_manager))
""",
    7: """
turn_manager = syndisco.RoundRobin([actor.get_name() for actor in actors])
conv = syndisco.Discussion(next_turn_manager=turn_manager, users=actors)
conv.begin()
""",
    8: """
turn_manager = syndisco.RoundRobin([actor.get_name() for actor in actors])
conv = syndisco.Discussion(
    next_turn_manager=turn_manager, users=actors, conv_len=4
)
it = iter(conv) # one-time setup happens here
first_entry = next(it)
print("First speaker: ", first_entry["name"])
print("Their message: ", first_entry["text"], "...")
second_entry = next(it)
print("\\nSecond speaker:", second_entry["name"])
print("Their message: ", second_entry["text"], "...")
""",
    9: """
turn_manager = syndisco.RoundRobin([actor.get_name() for actor in actors])
conv = syndisco.Discussion(
    next_turn_manager=turn_manager, users=actors, conv_len=10
)
STOP_WORD = "hospital"
for entry in conv:
    print(f"{entry['name']}: {entry['text']}...")
    if STOP_WORD in entry["text"].lower():
        print(f"\\nStop word '{STOP_WORD}' detected — halting early.")
        break
print(f"\\nTurns completed so far: {conv._steps_taken}")
""",
    10: """
# Run a fresh discussion so the logs are fully populated
turn_manager = syndisco.RoundRobin([actor.get_name() for actor in actors])
conv = syndisco.Discussion(next_turn_manager=turn_manager, users=actors, conv_len=4)
conv.begin(verbose=False)
logs = conv.logs
print(f"Total entries : {len(logs)}")
print(f"First entry : {logs[0]}")
print(f"Last entry : {logs[-1]}")
print()
# Iterate directly — each item is a dict with 'name', 'text', 'model'
for entry in logs:
    print(f"[{entry['name']}] {entry['text'][:60]}...")
""",
    11: """
import json
import tempfile
tp = tempfile.NamedTemporaryFile(suffix=".json", delete=False)
logs = conv.get_logs()
logs.export(tp.name)
with open(tp.name) as f:
    data = json.load(f)
print(json.dumps(data, indent=4))
""",
    12: """
logs2 = syndisco.Logs.from_file(tp.name)
print(logs2)
""",
    13: """
names=["Alice", "Bob", "Alice"]
texts=[
    "What do you think about the new policy?",
    "Honestly, I think it goes too far.",
    "I can see that perspective, though I'm not sure I agree.",
]
handcrafted = syndisco.Logs()
for name, text in zip(names, texts):
    handcrafted.append(name, text)
print(handcrafted)
""",
}


@pytest.fixture(scope="module")
def guide_run(tiny_model_dir):
    """Run all cells in order in one namespace, keeping each cell's output."""
    import contextlib
    import io

    namespace = {"MODEL_PATH": str(tiny_model_dir)}
    outputs = {}
    for number, code in GUIDE_CELLS.items():
        buffer = io.StringIO()
        with contextlib.redirect_stdout(buffer), contextlib.redirect_stderr(buffer):
            exec(compile(code, f"<guide cell {number}>", "exec"), namespace)
        outputs[number] = buffer.getvalue()
    return namespace, outputs


def test_every_cell_runs(guide_run):
    _, outputs = guide_run
    assert set(outputs) == set(GUIDE_CELLS)


def test_personas_print_as_json(guide_run):
    _, out = guide_run
    lines = out[3].splitlines()
    assert [json.loads(line)["username"] for line in lines] == ["Emma35", "Giannis"]
    assert lines[0].startswith('{"username": "Emma35", "age": 38, "sex": "female", "sexual_orientation"')


def test_turn_managers(guide_run):
    _, out = guide_run
    assert out[5].split() == ["John", "Mary", "Howard", "Todd"] * 2 + ["John", "Mary"]
    drawn = out[6].split()
    assert len(drawn) == 10 and all(a != b for a, b in itertools.pairwise(drawn))


def test_begin_prints_five_posts(guide_run):
    _, out = guide_run
    assert out[7].count(" posted:") == 5
    assert "User Emma35 posted:" in out[7] and "User Giannis posted:" in out[7]
    assert "generation flags are not valid" not in out[7]


def test_step_by_step_and_early_stop(guide_run):
    _, out = guide_run
    assert "First speaker:  Emma35" in out[8] and "Second speaker: Giannis" in out[8]
    printed = [line for line in out[9].splitlines() if line.startswith(("Emma35: ", "Giannis: "))]
    steps = int(out[9].rsplit("Turns completed so far: ", 1)[1])
    assert steps == len(printed) and 1 <= steps <= 10
    assert ("halting early" in out[9]) == (steps < 10 or "hospital" in printed[-1].lower())


def test_logs_export_and_reload_are_lossless(guide_run):
    namespace, out = guide_run
    logs, logs2 = namespace["logs"], namespace["logs2"]
    assert len(logs) == 4 and out[10].startswith("Total entries : 4")
    assert logs2 == logs and logs2[0]["prompt"] == logs[0]["prompt"] != ""
    assert json.loads(out[12])["id"] == logs.id
    exported = json.loads(out[11])
    assert exported["logs"][0]["model"] == "test_model"
    assert json.loads(exported["logs"][0]["prompt"])["type"] == "1"


def test_handcrafted_logs(guide_run):
    _, out = guide_run
    data = json.loads(out[13])
    assert [e["name"] for e in data["logs"]] == ["Alice", "Bob", "Alice"]
    assert {e["model"] for e in data["logs"]} == {"hardcoded"}
