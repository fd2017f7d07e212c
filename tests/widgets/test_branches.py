"""BranchExplorer: the tree, switching, comparing from the fork point, exporting."""

from __future__ import annotations

from ipywidgets import Text
from widget_helpers import make_discussion

from syndisco_widgets.engine import Discussion, Logs, Persona, Study, load_exports
from syndisco_widgets.models import ScriptedModel
from syndisco_widgets.session import Runner
from syndisco_widgets.widgets import BranchExplorer, DiscussionControls, TranscriptView


def setup(closing, conv_len=4):
    view = TranscriptView()
    runner = closing(Runner(make_discussion(conv_len=conv_len)))
    view.follow(runner)
    controls = DiscussionControls(runner, view)
    explorer = BranchExplorer(runner)
    return runner, controls, explorer, view


def test_branches_form_a_tree_of_independent_discussions(closing):
    runner, controls, explorer, view = setup(closing)
    main = runner.discussion
    controls.run_button.click()
    controls.branch_button.click()  # branch 1: a copy of all 4 entries
    assert runner.wait(5)
    view._handle_custom_msg({"type": "branch", "index": 1}, [])  # branch 2 from branch 1, after entry 1
    controls.step_button.click()
    assert runner.wait(5)

    assert len(explorer.branches) == 3
    b1, b2 = explorer.branches[1], explorer.branches[2]
    assert (b1.parent, b1.fork_at, b2.parent, b2.fork_at) == (0, 4, 1, 2)
    assert explorer.active == 2 and explorer.live.discussion is runner.discussion
    assert all(isinstance(b.discussion, Discussion) for b in explorer.branches.values())
    assert len(main.logs) == 4 and len(b1.discussion.logs) == 4 and len(b2.discussion.logs) == 3
    labels = [label for label, _ in explorer.tree.options]
    assert labels[0].startswith("○ main") and "● branch 2" in labels[2]
    assert labels[2].index("●") > labels[1].index("○")  # deeper rows are indented further


def test_show_switches_the_live_branch_and_transcript(closing):
    runner, controls, explorer, view = setup(closing)
    controls.run_button.click()
    runner.branch(1)
    assert runner.wait(5)
    explorer.tree.value = 0
    explorer.show_button.click()
    assert runner.wait(5)
    assert explorer.active == 0 and runner.discussion is explorer.branches[0].discussion
    assert view.entries == list(explorer.branches[0].discussion.logs)
    assert controls.step_button.disabled  # main is finished


def test_fork_at_turn_by_button(closing):
    runner, controls, explorer, _view = setup(closing)
    controls.run_button.click()
    assert runner.wait(5)
    assert explorer.fork_at.max == 4 and explorer.fork_at.value == 4
    explorer.fork_at.value = 3
    explorer.fork_button.click()
    assert runner.wait(5)
    assert len(runner.discussion.logs) == 3 and explorer.branches[1].fork_at == 3


def test_compare_side_by_side_from_the_fork_point(closing):
    runner, controls, explorer, _view = setup(closing)
    controls.run_button.click()
    runner.branch(2)
    runner.run()
    assert runner.wait(5)
    assert (explorer.left.value, explorer.right.value) == (0, 1)  # the new branch against its parent
    explorer.compare_button.click()
    main, branch = explorer.branches[0].discussion, explorer.branches[1].discussion
    panel = explorer.compare_box
    assert panel.visible
    assert "the first 2 entries" in panel.note.value and "from #3 on" in panel.note.value
    assert panel.left_view.entries == list(main.logs)[2:]
    assert panel.right_view.entries == list(branch.logs)[2:]
    assert panel.left_view.start == panel.right_view.start == 2  # numbered as in the whole log
    assert not panel.left_view.branchable and not panel.right_view.branchable  # no dead actions
    assert panel.left_view.entries[0]["text"] != panel.right_view.entries[0]["text"]


def test_compare_stays_in_sync_as_a_branch_grows(closing):
    runner, controls, explorer, _view = setup(closing, conv_len=6)
    runner.step()
    runner.step()
    runner.branch(1)
    assert runner.wait(5)
    explorer.compare(0, 1)
    panel = explorer.compare_box
    assert len(panel.right_view.entries) == 0 and panel.right_view.start == 1
    controls.step_button.click()
    controls.step_button.click()
    assert runner.wait(5)
    assert len(panel.right_view.entries) == 2  # grew with the live branch, without pressing Compare
    assert "(3 entries)" in panel.right_title.value


def test_export_a_branch(closing, tmp_path):
    runner, controls, explorer, _view = setup(closing)
    controls.run_button.click()
    runner.branch(1)
    assert runner.wait(5)
    explorer.folder.value = str(tmp_path)
    explorer.tree.value = 1
    explorer.export_button.click()  # nobody typed a name: "anonymous", and the note says so
    files = list(tmp_path.glob("anonymous--branch-1-*.json"))  # participant, branch (no study)
    assert len(files) == 1 and str(files[0]) in explorer.message.value
    assert "No name typed" in explorer.message.value and 'download="' in explorer.message.value
    assert Logs.from_file(files[0]) == explorer.branches[1].discussion.logs

    explorer.participant.value = "Maria <b>"
    explorer.study = Study.from_setup(name="town budget", personas=[Persona(username="Emma35")])
    explorer.tree.value = 0
    explorer.export_button.click()
    assert len(list(tmp_path.glob("town-budget--Maria-b--main-*.json"))) == 1
    assert "No name typed" not in explorer.message.value and "<b>" not in explorer.message.value
    table = load_exports(tmp_path)
    assert set(zip(table["participant"], table["branch"], table["study"].fillna("-"), strict=True)) == {
        ("anonymous", "branch 1", "-"),
        ("Maria <b>", "main", "town budget"),
    }


def test_works_alone_on_a_discussion(closing):
    explorer = closing(BranchExplorer(make_discussion(ScriptedModel(), conv_len=2)))
    assert any(isinstance(c, TranscriptView) for c in explorer.children)
    explorer.runner.run()
    explorer.branch(1)
    assert explorer.runner.wait(5)
    assert sorted(explorer.branches) == [0, 1] and explorer.active == 1


def test_selection_follows_the_live_branch_but_keeps_a_users_pick(closing):
    runner, controls, explorer, _view = setup(closing)
    controls.run_button.click()
    controls.branch_button.click()  # branch 1 goes live: the list selects it, not "main"
    assert runner.wait(5)
    assert explorer.active == 1 and explorer.tree.value == 1

    explorer.tree.value = 0  # the user's own pick survives refreshes ...
    explorer._refresh()
    assert explorer.tree.value == 0 and explorer.active == 1

    runner.branch(2)  # ... until the live branch changes again
    assert runner.wait(5)
    assert explorer.active == 2 and explorer.tree.value == 2

    explorer.tree.value = 0  # switching (Show) selects what went live
    explorer.show_button.click()
    assert runner.wait(5)
    assert explorer.active == 0 and explorer.tree.value == 0

    explorer.tree.value = 2
    controls.reset_button.click()  # "Start over" makes a new branch; the old one is kept
    assert runner.wait(5)
    assert explorer.active == 3 and explorer.tree.value == 3
    assert explorer.branches[3].parent == 0 and explorer.branches[3].label == "fresh start 1"
    assert len(explorer.branches[0].discussion.logs) == 4  # nothing lost


def test_branches_are_numbered_among_branches():
    from syndisco_widgets.widgets.branches import BranchTree

    tree = BranchTree()
    main = tree.add(make_discussion())
    first = tree.add(make_discussion(), parent=main, fork_at=1)
    again = tree.add(make_discussion())  # a new discussion from the set-up
    second = tree.add(make_discussion(), parent=again, fork_at=0)
    labels = [tree.branches[i].label for i in (main, first, again, second)]
    assert labels == ["main", "branch 1", "discussion 2", "branch 2"]


def test_compare_shows_in_an_explorer_that_follows_someone_elses_runner(closing):
    runner, controls, explorer, _view = setup(closing)
    assert explorer.compare_box in explorer.children  # notebook 02's case: not only when it owns the runner
    controls.run_button.click()
    controls.branch_button.click()
    assert runner.wait(5)
    assert explorer.compare(0, 1) == 4 and explorer.compare_box.visible
    assert "Both share the first 4 entries; shown from #5 on" in explorer.compare_box.note.value
    hosted = closing(Runner(make_discussion()))

    in_studio = BranchExplorer(hosted, participant=Text())  # a host with its own name box places it
    assert explorer.compare_box in explorer.children and in_studio.compare_box not in in_studio.children
    asked = BranchExplorer(hosted, participant=Text(), compare_here=True)
    assert asked.compare_box in asked.children


def test_compare_offers_two_different_branches_and_refuses_one_against_itself(closing):
    runner, controls, explorer, _view = setup(closing)
    assert explorer.compare_button.disabled  # one branch: nothing to compare
    controls.step_button.click()
    assert runner.wait(5)
    explorer.show(0)
    runner.reset()  # a fresh start: a branch of main from its seeds
    assert runner.wait(5)
    assert (explorer.left.value, explorer.right.value) == (0, 1)  # never main against main
    assert not explorer.compare_button.disabled
    explorer.left.value = explorer.right.value = 1
    assert explorer.compare(1, 1) is None and "two different branches" in explorer.message.value
    assert not explorer.compare_box.visible


def test_unrelated_discussions_are_said_to_share_nothing(closing):
    runner, controls, explorer, _view = setup(closing)
    controls.run_button.click()
    assert runner.wait(5)
    runner.replace(make_discussion(conv_len=2))
    runner.run()
    assert runner.wait(5)
    assert explorer.compare(0, 1) == 0
    note = explorer.compare_box.note.value
    assert "share no entries" in note and "0 entries" not in note


def test_a_fork_says_it_samples_anew(closing):
    runner, controls, explorer, _view = setup(closing)
    controls.step_button.click()
    explorer.fork_button.click()
    assert runner.wait(5)
    seed = explorer.live.discussion.seed
    assert isinstance(seed, int) and f"new seed ({seed})" in explorer.message.value
    assert "keep_seed=True" in explorer.message.value


def test_a_closed_runner_disables_every_action_and_fork_does_not_raise(closing):
    runner, controls, explorer, _view = setup(closing)
    controls.step_button.click()
    controls.branch_button.click()
    assert runner.wait(5)
    assert not any(b.disabled for b in (explorer.show_button, explorer.fork_button, explorer.export_button))
    runner.close()
    buttons = (explorer.show_button, explorer.fork_button, explorer.export_button, explorer.compare_button)
    assert all(b.disabled for b in buttons)
    explorer.fork(1)  # from code too: a note, not an exception
    assert "runner is closed" in explorer.message.value
    assert len(explorer.branches) == 2
