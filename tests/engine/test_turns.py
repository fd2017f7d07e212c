import copy
import itertools

import pytest

from syndisco_widgets import CustomOrder, FunctionTurnManager, RandomWeighted, RoundRobin, TurnManager
from syndisco_widgets.errors import ConfigError

NAMES = ["John", "Mary", "Howard", "Todd"]


def take(manager, n):
    return list(itertools.islice(manager, n))


def test_round_robin_cycles_in_order():
    assert take(RoundRobin(NAMES), 6) == NAMES + NAMES[:2]


def test_random_weighted_is_seeded_and_never_repeats_the_last_speaker():
    a = take(RandomWeighted(NAMES, p_respond=0.5, seed=7), 200)
    assert a == take(RandomWeighted(NAMES, p_respond=0.5, seed=7), 200)
    assert a != take(RandomWeighted(NAMES, p_respond=0.5, seed=8), 200)
    assert all(x != y for x, y in itertools.pairwise(a))
    assert set(a) == set(NAMES)


def test_p_respond_one_makes_two_people_talk_back_and_forth():
    seq = take(RandomWeighted(NAMES, p_respond=1.0, seed=3), 12)
    assert seq[2:] == [seq[0], seq[1]] * 5


def test_first_speaker_is_uniform():
    firsts = [next(RandomWeighted(NAMES, seed=s)) for s in range(400)]
    counts = {n: firsts.count(n) for n in NAMES}
    assert min(counts.values()) > 60  # about 100 each; a biased pick would starve someone


@pytest.mark.parametrize("p", [-0.1, 1.5, "0.5", True])
def test_p_respond_outside_unit_interval_is_rejected(p):
    with pytest.raises(ConfigError, match="p_respond must be"):
        RandomWeighted(NAMES, p_respond=p)


def test_peek_does_not_advance():
    tm = RandomWeighted(NAMES, seed=1)
    preview = tm.peek(5)
    assert take(tm, 5) == preview


def test_custom_manager_in_a_few_lines_moderator_every_k():
    class ModeratorEveryK(TurnManager):
        def __init__(self, users, moderator, k):
            super().__init__([*users, moderator])
            self.users, self.moderator, self.k = users, moderator, k

        def choose(self):
            if (len(self.history) + 1) % (self.k + 1) == 0:
                return self.moderator
            spoken = [n for n in self.history if n != self.moderator]
            return self.users[len(spoken) % len(self.users)]

    assert take(ModeratorEveryK(["A", "B"], "Mod", 2), 6) == ["A", "B", "Mod", "A", "B", "Mod"]


def test_function_manager_and_custom_order():
    last_first = FunctionTurnManager(lambda tm: tm.names[-1 - len(tm.history) % 2], names=["A", "B"])
    assert take(last_first, 3) == ["B", "A", "B"]
    assert take(CustomOrder(["A", "B", "A", "C"]), 5) == ["A", "B", "A", "C", "A"]


def test_bad_choices_and_missing_names_are_explained():
    with pytest.raises(ConfigError, match="has no names"):
        next(RoundRobin())
    with pytest.raises(ConfigError, match="chose 'Zed', which is not one of"):
        next(FunctionTurnManager(lambda tm: "Zed", names=["A"]))
    with pytest.raises(ConfigError, match="must be unique"):
        RoundRobin(["A", "A"])


def test_fresh_copy_restarts_with_new_names_and_seed():
    tm = RandomWeighted(NAMES, p_respond=0.3, seed=1)
    take(tm, 5)
    restarted = tm.fresh()
    assert restarted.history == [] and take(restarted, 5) == take(
        RandomWeighted(NAMES, p_respond=0.3, seed=1), 5
    )
    other = tm.fresh(["A", "B"], seed=9)
    assert set(take(other, 6)) <= {"A", "B"} and other.seed == 9 and other.p_respond == 0.3
    assert len(tm.history) == 5  # the original is untouched


def test_a_deep_copy_goes_on_as_the_original_would_and_apart_from_it():
    original = RandomWeighted(NAMES, p_respond=0.4, seed=5)
    take(original, 7)
    twin = copy.deepcopy(original)
    assert twin.rng is not original.rng and twin.history is not original.history
    assert take(twin, 20) == take(original, 20)
    assert len(twin.history) == len(original.history) == 27
    twin.names.append("Zoe")
    assert "Zoe" not in original.names
