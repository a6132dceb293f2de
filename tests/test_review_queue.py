"""The order answers are graded in, and pseudonyms."""

from grader.review.queue import build_queue, pseudonyms, queue_order, student_id

STUDENTS = [f"s{n:03d}" for n in range(200)]


def test_the_order_is_stable_shuffled_and_differs_per_question():
    q1 = queue_order("a", "q1", STUDENTS)
    assert q1 == queue_order("a", "q1", reversed(STUDENTS))
    assert sorted(q1) == STUDENTS and q1 != STUDENTS
    assert queue_order("a", "q2", STUDENTS) != q1


def test_a_student_added_later_does_not_reshuffle_the_others():
    before = queue_order("a", "q1", STUDENTS[:-1])
    after = queue_order("a", "q1", STUDENTS)
    assert [s for s in after if s != STUDENTS[-1]] == before


def test_next_ungraded_wraps_round_and_is_none_when_all_are_graded():
    queue = build_queue("a", "q1", ["x", "y", "z"], graded=set())
    first, second, third = queue.students
    graded = build_queue("a", "q1", ["x", "y", "z"], graded={second})
    assert graded.next_ungraded() == first
    assert graded.next_ungraded(first) == third
    assert graded.next_ungraded(third) == first
    assert graded.done == 1
    assert build_queue("a", "q1", ["x", "y", "z"], {"x", "y", "z"}).next_ungraded(first) is None
    assert queue.neighbour(first, -1) is None and queue.neighbour(first, 1) == second


def test_pseudonyms_are_distinct_and_the_same_in_every_question():
    names = pseudonyms("a", STUDENTS)
    assert len(set(names.values())) == len(STUDENTS)
    assert names == pseudonyms("a", list(reversed(STUDENTS)))
    assert all(v.startswith("Student ") for v in names.values())


def test_ids_in_addresses_hide_the_name_and_depend_on_the_server_secret():
    assert student_id(b"k1", "ada") == student_id(b"k1", "ada") != student_id(b"k2", "ada")
    assert "ada" not in student_id(b"k1", "ada") and len(student_id(b"k1", "ada")) == 16
