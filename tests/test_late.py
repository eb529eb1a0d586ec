"""Late work: the penalty arithmetic, the config's due/late_policy/extensions, the submission
times (nbgrader's timestamp.txt, the --submitted-at CSV, the mtime) and what the reports say."""

import csv
import html
import io
import json
import os
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograder import late
from autograder.config import ConfigError, load_config
from autograder.discovery import discover
from autograder.late import LatePolicy, SubmissionTime, apply, penalty_fraction, started_days_late
from autograder.reports import feedback_html, feedback_markdown, gradescope_results, grades_csv
from autograder.spec import QUESTION_IDS
from autograder.submit_times import TimesError, read_submitted_at, read_timestamp, submission_times

PARIS = timezone(timedelta(hours=1))
DUE = datetime(2026, 12, 1, 17, 0, tzinfo=PARIS)
POLICY = LatePolicy(due=DUE, per_day=0.1, max=0.3, grace_minutes=15, extensions={"ada": 48})

fractions = st.floats(0, 1, allow_nan=False)
offsets = st.timedeltas(min_value=timedelta(days=-30), max_value=timedelta(days=60))
policies = st.builds(LatePolicy, due=st.just(DUE), per_day=fractions, max=fractions,
                     grace_minutes=st.floats(0, 600), extensions=st.just({"ada": 30}))


def result(student="bob", score=80.0):
    return {"student": student, "score": score, "max_score": 100.0, "status": "graded",
            "questions": [{"id": q, "score": score / 7, "max_score": 100 / 7, "feedback": []}
                          for q in QUESTION_IDS]}


# -- the arithmetic ------------------------------------------------------------

@given(policies, offsets, offsets)
def test_the_fraction_grows_with_time_and_never_passes_max(policy, a, b):
    early, later = sorted((a, b))
    f1 = penalty_fraction(policy, "bob", DUE + early)
    f2 = penalty_fraction(policy, "bob", DUE + later)
    assert 0 <= f1 <= f2 <= policy.max


@given(policies, offsets, st.sampled_from(["bob", "ada"]))
def test_no_penalty_up_to_due_plus_grace_plus_extension(policy, offset, student):
    deadline = DUE + timedelta(minutes=policy.grace_minutes, hours=policy.extension_hours(student))
    submitted = DUE + offset
    if submitted <= deadline:
        assert penalty_fraction(policy, student, submitted) == 0
    elif policy.per_day > 0 and policy.max > 0:
        assert penalty_fraction(policy, student, submitted) > 0


@given(st.integers(0, 400), st.timedeltas(min_value=timedelta(microseconds=1), max_value=timedelta(days=1)))
def test_a_started_day_counts_as_a_whole_day(days, into):
    deadline = DUE
    assert started_days_late(deadline, deadline + timedelta(days=days) + into) == days + 1
    assert started_days_late(deadline, deadline + timedelta(days=days)) == days


@given(policies, offsets, st.floats(0, 100).map(lambda x: round(x, 2)))
def test_points_off_plus_score_is_the_raw_score(policy, offset, raw):
    row = apply(result(score=raw), policy, SubmissionTime(DUE + offset, "mtime"))
    assert row["raw_score"] == raw
    assert 0 <= row["late_penalty"] and 0 <= row["score"] <= raw
    assert round(row["score"] + row["late_penalty"], 2) == raw
    assert row["score"] == pytest.approx(raw * (1 - row["late"]["fraction"]), abs=0.005)


def test_the_worked_examples_of_the_readme():
    on_time = DUE + timedelta(minutes=15)                     # exactly at due + grace: on time
    assert penalty_fraction(POLICY, "bob", on_time) == 0
    assert penalty_fraction(POLICY, "bob", on_time + timedelta(seconds=1)) == pytest.approx(0.1)
    assert penalty_fraction(POLICY, "bob", on_time + timedelta(days=1, seconds=1)) == pytest.approx(0.2)
    assert penalty_fraction(POLICY, "bob", on_time + timedelta(days=9)) == 0.3   # capped at max
    assert penalty_fraction(POLICY, "ada", on_time + timedelta(hours=47)) == 0   # her 48-hour extension
    assert penalty_fraction(POLICY, "ada", on_time + timedelta(hours=49)) == pytest.approx(0.1)
    assert penalty_fraction(LatePolicy(), "bob", on_time + timedelta(days=99)) == 0   # no due date
    assert penalty_fraction(POLICY, "bob", None) == 0                                 # time unknown


def test_apply_adds_the_keys_after_score_and_starts_from_the_raw_score_again():
    row = apply(result(score=80.0), POLICY, SubmissionTime(DUE + timedelta(days=1, hours=1), "mtime"))
    assert list(row)[:4] == ["student", "score", "raw_score", "late_penalty"]
    assert (row["score"], row["raw_score"], row["late_penalty"]) == (64.0, 80.0, 16.0)
    assert row["late"]["days_late"] == 2 and row["time_source"] == "mtime"
    assert row["submitted_at"] == "2026-12-02T17:00:00+00:00"
    assert apply(row, POLICY, SubmissionTime(DUE, "mtime"))["score"] == 80.0     # not penalised twice
    plain = apply(result(score=80.0), LatePolicy())
    assert (plain["score"], plain["raw_score"], plain["late_penalty"]) == (80.0, 80.0, 0.0)
    assert "late" not in plain and "submitted_at" not in plain


# -- the config -----------------------------------------------------------------

def write_config(tmp_path, **keys):
    path = tmp_path / "assignment.json"
    path.write_text(json.dumps(keys))
    return path


def test_the_config_gives_the_policy(tmp_path):
    cfg = load_config(write_config(tmp_path, due="2026-12-01T17:00:00+01:00",
                                   late_policy={"per_day": 0.1, "max": 0.3, "grace_minutes": 15},
                                   extensions={"ada": 48, "nobody-yet": 2.5}))
    assert cfg.late == LatePolicy(DUE, 0.1, 0.3, 15, {"ada": 48, "nobody-yet": 2.5})
    assert load_config(write_config(tmp_path, due="2026-12-01T16:00:00Z")).late.due == DUE
    assert load_config(write_config(tmp_path)).late.due is None           # all optional
    assert load_config().late == LatePolicy()                              # the bundled config


@pytest.mark.parametrize("keys, words", [
    ({"due": "2026-12-01T17:00:00"}, "has no offset"),
    ({"due": "1st of December"}, "not an ISO 8601 time"),
    ({"due": 1764604800}, "due must be a string"),
    ({"late_policy": {"per_day": 0.1, "max": 0.3}}, "needs a due date"),
    ({"due": "2026-12-01T17:00:00Z", "late_policy": {"per_day": 0.1}}, "max missing"),
    ({"due": "2026-12-01T17:00:00Z", "late_policy": {"per_day": 0.1, "max": 1.5}}, "late_policy.max must be"),
    ({"due": "2026-12-01T17:00:00Z", "late_policy": {"per_day": -0.1, "max": 1}}, "late_policy.per_day must be"),
    ({"due": "2026-12-01T17:00:00Z", "late_policy": {"per_day": "10%", "max": 1}}, "late_policy.per_day must be"),
    ({"due": "2026-12-01T17:00:00Z", "late_policy": {"per_day": True, "max": 1}}, "late_policy.per_day must be"),
    ({"due": "2026-12-01T17:00:00Z", "late_policy": {"per_day": 0.1, "max": 1, "grace": 5}}, "unknown key"),
    ({"due": "2026-12-01T17:00:00Z", "late_policy": {"per_day": 0.1, "max": 1, "grace_minutes": -1}},
     "grace_minutes must be"),
    ({"due": "2026-12-01T17:00:00Z", "late_policy": [0.1, 0.3]}, "late_policy must be an object"),
    ({"extensions": {"ada": -2}}, r"extensions\['ada'\] must be"),
    ({"extensions": {"ada": "2 days"}}, r"extensions\['ada'\] must be"),
    ({"extensions": {"": 2}}, "non-empty string"),
    ({"extensions": [["ada", 2]]}, "extensions must be an object"),
    ({"extensions": {"ada": 1e9}}, r"extensions\['ada'\] must be"),
    ({"due": "9999-12-31T23:59:00+00:00", "extensions": {"ada": 80000}}, "past the year 9999"),
    ({"deadline": "2026-12-01T17:00:00Z"}, "unknown key"),
])
def test_a_bad_late_config_is_refused_with_a_message(tmp_path, keys, words):
    with pytest.raises(ConfigError, match=words):
        load_config(write_config(tmp_path, **keys))


def test_nan_in_the_config_is_refused(tmp_path):
    path = tmp_path / "a.json"
    path.write_text('{"due": "2026-12-01T17:00:00Z", "late_policy": {"per_day": NaN, "max": 1}}')
    with pytest.raises(ConfigError, match="per_day must be"):
        load_config(path)


# -- submission times -------------------------------------------------------------

def nbgrader_class(tmp_path, stamps):
    """submitted/<student>/ps1/ps1.py with timestamp.txt holding stamps[student] (bytes; None: no file)."""
    root = tmp_path / "submitted"
    for student, stamp in stamps.items():
        folder = root / student / "ps1"
        folder.mkdir(parents=True)
        (folder / "ps1.py").write_text("x = 1\n")
        if stamp is not None:
            (folder / "timestamp.txt").write_bytes(stamp)
    return root


def test_timestamp_txt_is_read_with_nbgraders_parser(tmp_path):
    root = nbgrader_class(tmp_path, {"ada": b"2026-12-01 16:10:00.123456 UTC\n",
                                     "bob": b"2026-12-01 18:30:00.000000 Europe/Paris",
                                     "cy": b"2026-12-01 16:20:00", "dee": None})
    os.utime(root / "dee" / "ps1" / "ps1.py", (0, 1764605000))
    subs = discover([root])
    times = {s.student: t for s, t in zip(subs, submission_times(subs, [root]))}
    assert times["ada"] == SubmissionTime(datetime(2026, 12, 1, 16, 10, 0, 123456, timezone.utc), "timestamp.txt")
    assert times["bob"].at == datetime(2026, 12, 1, 17, 30, tzinfo=timezone.utc)
    assert times["cy"].at == datetime(2026, 12, 1, 16, 20, tzinfo=timezone.utc)      # no zone: UTC, as nbgrader
    assert times["dee"] == SubmissionTime(datetime.fromtimestamp(1764605000, timezone.utc), "mtime")


@pytest.mark.parametrize("stamp", [b"yesterday-ish", b"2026-12-01 16:10:00 /etc/passwd",
                                   b"2026-12-01 16:10:00 ../../zone", b"\xff\xfe", b"2026-12-01 " * 200, b""])
def test_a_timestamp_that_cannot_be_read_is_skipped_with_a_note(tmp_path, stamp):
    root = nbgrader_class(tmp_path, {"ada": stamp})
    subs = discover([root])
    given = {"ada": datetime(2026, 12, 1, 16, 0, tzinfo=timezone.utc)}
    when = submission_times(subs, [root], given)[0]
    assert (when.at, when.source) == (given["ada"], "--submitted-at")
    assert "timestamp.txt" in when.note and "ignored" in when.note


def test_a_linked_or_special_timestamp_is_never_opened(tmp_path):
    root = nbgrader_class(tmp_path, {"ada": None, "bob": None})
    secret = tmp_path / "secret.txt"
    secret.write_text("2020-01-01 00:00:00 UTC")
    (root / "ada" / "ps1" / "timestamp.txt").symlink_to(secret)
    os.mkfifo(root / "bob" / "ps1" / "timestamp.txt")          # opening it for reading would block
    for student in ("ada", "bob"):
        at, note = read_timestamp(root / student / "ps1")
        assert at is None and "not a regular file" in note


def test_a_plain_folder_never_uses_a_timestamp_file(tmp_path):
    (tmp_path / "ada.py").write_text("x = 1\n")
    (tmp_path / "timestamp.txt").write_text("2020-01-01 00:00:00 UTC")
    subs = discover([tmp_path])
    assert submission_times(subs, [tmp_path])[0].source == "mtime"


def write_times(tmp_path, text):
    path = tmp_path / "times.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_submitted_at_csv(tmp_path):
    path = write_times(tmp_path, "\ufeffsubmitted_at,student\n2026-12-01T18:00:00+01:00,ada\n\n"
                                 "2026-12-01T16:30:00Z,bob\n")
    assert read_submitted_at(path, ["ada", "bob", "cy"]) == {
        "ada": datetime(2026, 12, 1, 17, tzinfo=timezone.utc), "bob": datetime(2026, 12, 1, 16, 30, tzinfo=timezone.utc)}


@pytest.mark.parametrize("text, words", [
    ("student,when\nada,2026-12-01T18:00:00+01:00\n", "columns must be student, submitted_at"),
    ("student,submitted_at\nada,2026-12-01T18:00:00+01:00\nbob,tuesday\n", "line 3: 'tuesday' is not an ISO"),
    ("student,submitted_at\nada,2026-12-01T18:00:00\n", "line 2: .* has no offset"),
    ("student,submitted_at\nada,2026-12-01T18:00:00Z\nada,2026-12-01T19:00:00Z\n", "line 3: ada is already on line 2"),
    ("student,submitted_at\nzed,2026-12-01T18:00:00Z\nada,2026-12-01T18:00:00Z\nyan,2026-12-01T18:00:00Z\n",
     "no submission has the id.s. yan, zed"),
    ("student,submitted_at\nada,2026-12-01T18:00:00Z,extra\n", "line 2: 3 cells"),
])
def test_a_bad_submitted_at_csv_is_refused_saying_where(tmp_path, text, words):
    with pytest.raises(TimesError, match=words):
        read_submitted_at(write_times(tmp_path, text), ["ada", "bob"])


# -- what the reports say ---------------------------------------------------------------

def late_row():
    return apply(result("bob", 80.0), POLICY, SubmissionTime(DUE + timedelta(days=1, hours=1), "timestamp.txt"))


def test_grades_csv_has_the_spec_columns_and_the_points_taken_off():
    rows = list(csv.DictReader(io.StringIO(grades_csv([late_row(), apply(result("ada", 90.0), LatePolicy())]))))
    assert list(rows[0]) == ["student", *QUESTION_IDS, "raw_score", "late_penalty", "score", "max_score",
                             "status", "reason", "submitted_at", "time_source"]
    assert [(r["raw_score"], r["late_penalty"], r["score"]) for r in rows] == [("80", "16", "64"), ("90", "0", "90")]
    assert [(r["submitted_at"], r["time_source"]) for r in rows] == [
        ("2026-12-02T17:00:00+00:00", "timestamp.txt"), ("", "")]


def test_feedback_explains_the_penalty_in_every_format():
    row = late_row()
    md, page = feedback_markdown(row), feedback_html(row)
    gs = gradescope_results(row)
    assert gs["score"] == 64.0
    for text in (md, html.unescape(page), gs["output"]):
        assert "Score: 64 / 100 (80 before the late penalty of 16 points)" in text
        assert "Due: 2026-12-01T17:00:00+01:00" in text
        assert "Submitted: 2026-12-02T18:00:00+01:00 (from nbgrader's timestamp.txt" in text
        assert "a grace period of 15 minutes" in text and "2026-12-01T17:15:00+01:00" in text
        assert "Late by 2 started days" in text and "10% per day, at most 30%, so 20%" in text
        assert "16 points off" in text
    ext = apply(result("ada", 50.0), POLICY, SubmissionTime(DUE + timedelta(hours=2), "mtime"))
    lines = late.late_lines(ext)
    assert any("your extension of 48 hours" in x for x in lines) and lines[-1] == "On time: no late penalty."
    assert late.late_lines(apply(result(), LatePolicy())) == []
    assert "late" not in feedback_markdown(apply(result(), LatePolicy())).lower()

