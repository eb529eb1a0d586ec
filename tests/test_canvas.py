"""`rnngrade canvas`: Canvas's gradebook-import CSV from grades.csv and the
roster Canvas exports, and `--upload` with the real canvasapi client against
a small Canvas server on 127.0.0.1 (FakeCanvas below) that implements the
endpoints canvasapi calls:

    GET /api/v1/courses/:course_id
    GET /api/v1/courses/:course_id/assignments/:assignment_id
    GET /api/v1/courses/:course_id/assignments/:assignment_id/submissions/:user_id?include[]=submission_comments
    PUT /api/v1/courses/:course_id/assignments/:assignment_id/submissions/:user_id
        (form: submission[posted_grade], comment[text_comment])

Every request it receives is recorded and checked: method, path, the
Authorization header, query and form parameters.
"""

import csv
import hashlib
import io
import json
import re
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from autograder import cli
from autograder.reports.tables import csv_cell, index_csv

TOKEN = "secret-token-7f3a"
COURSE, ASSIGNMENT = 7, 42
HEADER = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]

# What Canvas's Gradebook > Export gives: read-only totals, a "Points
# Possible" row, a "Manual Posting" row, a student in two sections, the
# test student, names with commas, quotes and formula prefixes, a login
# with spaces and capitals.
ROSTER = '''\ufeffStudent,ID,SIS User ID,SIS Login ID,Section,rnn_gradients (42),Current Score,Final Score
    Points Possible,,,,,100.00,(read only),(read only)
,,,,,Manual Posting,,
"Lovelace, Ada",101,S001,ada,Section A,,,
"O'Brien, ""Bob""",102,S002,  BOB ,Section B,,,
"=HYPERLINK(""http://x"",""Eve"")",103,S003,eve,Section A and Section B,,,
"@Mallory, +1",105,S005,mallory,Section B,,,
"Noether, Emmy",104,S004,emmy,Section B,,,
"Student, Test",999,,,Section A,,,
'''

# grades.csv as `rnngrade grade --out` writes it, with the raw_score and
# late_penalty columns of a late policy: `score` is what Canvas gets.
GRADES = [  # student, raw_score, late_penalty, score, status
    ("ada", 97.5, 10, 87.5, "graded"),
    ("bob", 40, 0, 40, "graded"),
    ("eve", 100, 0, 100, "graded"),
    ("mallory", 0, 0, 0, "error"),
    ("-carol", 55, 0, 55, "graded"),
]
FEEDBACK = {"ada": "# Feedback for ada\n\n- `rnn_step_forward`: 5 / 5 points\n",
            "bob": "# Feedback for bob\n\nSign flipped in `dW_hh`.\n",
            "eve": "# Feedback for eve\n\nAll right.\n"}          # mallory has no feedback file


def write_grades(folder, grades=GRADES):
    """grades.csv (ids quoted against CSV injection as tables.csv_cell does) and feedback/."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["student", "q0", "raw_score", "late_penalty", "score", "max_score", "status", "reason"])
    for student, raw, penalty, score, status in grades:
        w.writerow([csv_cell(student), 5, raw, penalty, score, 100, status, ""])
    (folder / "grades.csv").write_text(buf.getvalue(), encoding="utf-8")
    (folder / "feedback").mkdir(exist_ok=True)
    (folder / "feedback" / "index.csv").write_text(index_csv({g[0]: g[0] for g in grades}), encoding="utf-8")
    for student, text in FEEDBACK.items():
        (folder / "feedback" / f"{student}.md").write_text(text, encoding="utf-8")
    return folder / "grades.csv"


@pytest.fixture
def files(tmp_path):
    (tmp_path / "roster.csv").write_text(ROSTER, encoding="utf-8")
    return {"grades": write_grades(tmp_path), "roster": tmp_path / "roster.csv", "out": tmp_path / "canvas.csv",
            "dir": tmp_path}


def run(files, *extra):
    return cli.main(["canvas", "--grades", str(files["grades"]), "--roster", str(files["roster"]),
                     "--out", str(files["out"]), *map(str, extra)])


def read(path):
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.reader(f))


# -- the gradebook-import CSV ------------------------------------------------

def test_import_csv_has_canvas_columns_scores_and_empty_cells(files, capsys):
    assert run(files) == 0
    rows = read(files["out"])
    assert rows[0] == HEADER + ["rnn_gradients"]          # the name in assignment.json
    assert rows[1:] == [
        ["Lovelace, Ada", "101", "S001", "ada", "Section A", "87.5"],          # score, not raw_score
        ["O'Brien, \"Bob\"", "102", "S002", "BOB", "Section B", "40"],
        ["'=HYPERLINK(\"http://x\",\"Eve\")", "103", "S003", "eve", "Section A and Section B", "100"],
        ["'@Mallory, +1", "105", "S005", "mallory", "Section B", "0"],
        ["Noether, Emmy", "104", "S004", "emmy", "Section B", ""],              # no grade: empty, not 0
        ["Student, Test", "999", "", "", "Section A", ""],
    ]
    assert not any(cell[:1] in "=+-@" and cell for row in rows for cell in row)


def test_the_console_command_writes_the_import_csv(files):
    """`rnngrade canvas` as an instructor runs it (a subprocess of the real entry point)."""
    done = subprocess.run([sys.executable, "-m", "autograder.cli", "canvas", "--grades", str(files["grades"]),
                           "--roster", str(files["roster"]), "--out", str(files["out"]),
                           "--assignment-id", str(ASSIGNMENT)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert read(files["out"])[0] == HEADER + ["rnn_gradients (42)"]
    assert "roster only: Noether, Emmy (ID 104) [emmy]" in done.stderr


def test_unmatched_students_are_named_on_stderr_and_in_the_summary_file(files, capsys):
    assert run(files) == 0
    out, err = capsys.readouterr()
    summary = read(files["dir"] / "canvas.unmatched.csv")
    assert summary[0] == ["side", "who", "key", "why"]
    assert sorted((r[0], r[1]) for r in summary[1:]) == [
        ("grades only", "'-carol"), ("roster only", "Noether, Emmy (ID 104)"),
        ("roster only", "Student, Test (ID 999)")]
    for name in ("-carol", "Noether, Emmy", "Student, Test"):
        assert name in err
    assert "4 of 6 roster students have a score" in out
    assert "1 graded students are not in the roster, 2 roster students have no grade" in out


def test_missing_zero_gives_roster_students_without_grade_zero(files):
    assert run(files, "--missing-zero") == 0
    scores = {r[1]: r[5] for r in read(files["out"])[1:]}
    assert scores["104"] == "0" and scores["999"] == "0" and scores["101"] == "87.5"


def test_assignment_header_names_the_canvas_column(files):
    assert run(files, "--assignment", "=Week 3, RNNs") == 0
    assert read(files["out"])[0][-1] == "'=Week 3, RNNs"
    assert run(files, "--assignment-id", ASSIGNMENT) == 0                  # Canvas's "Name (id)"
    assert read(files["out"])[0][-1] == "rnn_gradients (42)"
    assert run(files, "--assignment", "rnn_gradients (42)", "--assignment-id", ASSIGNMENT) == 0
    assert read(files["out"])[0][-1] == "rnn_gradients (42)"


def test_match_another_roster_column(files):
    write_grades(files["dir"], [("s001", 1, 0, 1, "graded"), ("S003", 2, 0, 2, "graded")])
    assert run(files, "--match", "sis user id") == 0
    scores = {r[1]: r[5] for r in read(files["out"])[1:]}
    assert scores == {"101": "1", "102": "", "103": "2", "105": "", "104": "", "999": ""}


def test_ambiguous_ids_give_nobody_the_grade(files, capsys):
    roster = ROSTER.replace("Noether, Emmy\",104,S004,emmy", "Noether, Emmy\",104,S004,ADA")
    files["roster"].write_text(roster, encoding="utf-8")
    write_grades(files["dir"], GRADES + [("Eve", 1, 0, 1, "graded")])
    assert run(files) == 0
    scores = {r[1]: r[5] for r in read(files["out"])[1:]}
    assert scores["101"] == scores["104"] == scores["103"] == ""
    ambiguous = [r for r in read(files["dir"] / "canvas.unmatched.csv") if r[0] == "ambiguous"]
    assert sorted(r[2] for r in ambiguous) == ["ADA", "ada", "eve"]
    assert "ambiguous: " in capsys.readouterr().err


@pytest.mark.parametrize("change, message", [
    (lambda f: f["grades"].unlink(), "no such file"),
    (lambda f: f["roster"].write_text("Student,SIS Login ID\nA,a\n"), "has no column 'ID'"),
    (lambda f: f["grades"].write_text("student,total\nada,3\n"), "has no column 'score'"),
    (lambda f: f["grades"].write_text("student,score\nada,=1+1\n"), "line 2"),
    (lambda f: f.update(out=f["roster"]), "would overwrite the input"),
])
def test_misuse_exits_2_with_a_message(files, capsys, change, message):
    change(files)
    assert run(files) == 2
    assert message in capsys.readouterr().err


def test_bad_match_column_exits_2_naming_the_columns(files, capsys):
    assert run(files, "--match", "Email") == 2
    err = capsys.readouterr().err
    assert "no column 'Email'" in err and "'SIS Login ID'" in err
    assert not files["out"].exists()


# -- the upload, against a Canvas server on 127.0.0.1 --------------------------

class FakeCanvas:
    """The Canvas endpoints canvasapi calls for one course, one assignment
    and users 101-105 (999, the test student, is not enrolled: 404)."""

    SUBMISSION = re.compile(rf"/api/v1/courses/{COURSE}/assignments/{ASSIGNMENT}/submissions/(\d+)")

    def __init__(self):
        self.requests = []
        self.state = {uid: {"score": None, "comments": []} for uid in (101, 102, 103, 104, 105)}
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                fake.handle(self, "GET")

            def do_PUT(self):
                fake.handle(self, "PUT")

            def do_POST(self):
                fake.handle(self, "POST")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def handle(self, h, method):
        parts = urlsplit(h.path)
        length = int(h.headers.get("Content-Length") or 0)
        form = parse_qs(h.rfile.read(length).decode(), keep_blank_values=True)
        query = parse_qs(parts.query, keep_blank_values=True)
        self.requests.append((method, parts.path, h.headers.get("Authorization"), query, form))
        status, body = self.route(method, parts.path, query, form, h.headers.get("Authorization"))
        data = json.dumps(body).encode()
        h.send_response(status)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        h.wfile.write(data)

    def route(self, method, path, query, form, auth):
        if auth != f"Bearer {TOKEN}":
            return 401, {"errors": [{"message": "Invalid access token."}]}
        if method == "GET" and path == f"/api/v1/courses/{COURSE}":
            return 200, {"id": COURSE, "name": "Deep learning"}
        if method == "GET" and path == f"/api/v1/courses/{COURSE}/assignments/{ASSIGNMENT}":
            return 200, {"id": ASSIGNMENT, "course_id": COURSE, "name": "rnn_gradients"}
        m = self.SUBMISSION.fullmatch(path)
        if not m or int(m.group(1)) not in self.state or method not in ("GET", "PUT"):
            return 404, {"errors": [{"message": "The specified resource does not exist."}]}
        uid = int(m.group(1))
        s = self.state[uid]
        if method == "PUT":
            if "submission[posted_grade]" in form:
                s["score"] = float(form["submission[posted_grade]"][0])
            for text in form.get("comment[text_comment]", []):
                s["comments"].append({"id": len(s["comments"]) + 1, "author_id": 1, "comment": text})
        body = {"id": 1000 + uid, "user_id": uid, "assignment_id": ASSIGNMENT, "score": s["score"],
                "entered_score": s["score"], "grade": None if s["score"] is None else str(s["score"])}
        if method == "PUT" or "submission_comments" in query.get("include[]", []):
            body["submission_comments"] = list(s["comments"])
        return 200, body

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=30)


@pytest.fixture
def canvas(monkeypatch):
    monkeypatch.setenv("CANVAS_API_TOKEN", TOKEN)
    monkeypatch.delenv("CANVAS_API_URL", raising=False)
    with FakeCanvas() as fake:
        yield fake


def upload(files, canvas, *extra):
    return run(files, "--upload", "--course", COURSE, "--assignment-id", ASSIGNMENT, "--url", canvas.url, *extra)


def expected_comment(text):
    """The feedback, then a marker line with the first 16 hex digits of its SHA-256."""
    return f"{text.rstrip()}\n\n[rnngrade feedback {hashlib.sha256(text.encode()).hexdigest()[:16]}]"


SUB = f"/api/v1/courses/{COURSE}/assignments/{ASSIGNMENT}/submissions"
START = [("GET", f"/api/v1/courses/{COURSE}", {}, {}),
         ("GET", f"/api/v1/courses/{COURSE}/assignments/{ASSIGNMENT}", {}, {})]
INCLUDE = {"include[]": ["submission_comments"]}


def requests_of(canvas):
    """The recorded requests without their auth header, after checking it on every one."""
    assert canvas.requests and all(r[2] == f"Bearer {TOKEN}" for r in canvas.requests)
    return [(method, path, query, form) for method, path, _, query, form in canvas.requests]


def test_upload_posts_scores_and_feedback_then_a_rerun_posts_nothing_twice(files, canvas, capsys):
    assert upload(files, canvas) == 0
    first = requests_of(canvas)
    graded = [(101, "87.5", "ada"), (102, "40", "bob"), (103, "100", "eve")]
    expected = list(START)
    for uid, grade, student in graded:
        expected += [("GET", f"{SUB}/{uid}", INCLUDE, {}),
                     ("PUT", f"{SUB}/{uid}", {}, {"submission[posted_grade]": [grade],
                                                  "comment[text_comment]": [expected_comment(FEEDBACK[student])]})]
    expected += [("GET", f"{SUB}/105", INCLUDE, {}),                       # mallory: no feedback file
                 ("PUT", f"{SUB}/105", {}, {"submission[posted_grade]": ["0"]})]
    assert first == expected                    # nobody without a grade (104, 999) is touched
    out, err = capsys.readouterr()
    assert "mallory: cannot read" in err and "posted to Canvas: 4 students, 0 failed" in out

    canvas.requests.clear()
    assert upload(files, canvas) == 0
    assert requests_of(canvas) == START + [("GET", f"{SUB}/{uid}", INCLUDE, {}) for uid in (101, 102, 103, 105)]
    assert [len(canvas.state[uid]["comments"]) for uid in (101, 102, 103, 105)] == [1, 1, 1, 0]
    out, err = capsys.readouterr()
    assert out.count("sent nothing new") == 4
    assert TOKEN not in out + err


def test_a_changed_score_is_posted_without_repeating_the_comment(files, canvas):
    assert upload(files, canvas) == 0
    write_grades(files["dir"], [("ada", 97.5, 0, 97.5, "graded")] + GRADES[1:])
    canvas.requests.clear()
    assert upload(files, canvas) == 0
    puts = [r for r in requests_of(canvas) if r[0] == "PUT"]
    assert puts == [("PUT", f"{SUB}/101", {}, {"submission[posted_grade]": ["97.5"]})]
    assert canvas.state[101]["score"] == 97.5 and len(canvas.state[101]["comments"]) == 1


def test_changed_feedback_is_posted_as_a_new_comment(files, canvas):
    assert upload(files, canvas) == 0
    (files["dir"] / "feedback" / "bob.md").write_text("# Feedback for bob\n\nNow right.\n", encoding="utf-8")
    canvas.requests.clear()
    assert upload(files, canvas) == 0
    puts = [r for r in requests_of(canvas) if r[0] == "PUT"]
    assert puts == [("PUT", f"{SUB}/102", {},
                     {"comment[text_comment]": [expected_comment("# Feedback for bob\n\nNow right.\n")]})]


def test_dry_run_sends_nothing_and_shows_every_request(files, canvas, capsys, monkeypatch):
    monkeypatch.delenv("CANVAS_API_TOKEN")                # a dry run needs no token
    assert run(files, "--dry-run", "--course", COURSE, "--assignment-id", ASSIGNMENT, "--url", canvas.url) == 0
    assert canvas.requests == []
    out = capsys.readouterr().out
    for uid, grade in ((101, "87.5"), (102, "40"), (103, "100"), (105, "0")):
        assert f"would PUT {canvas.url}{SUB}/{uid} " in out and f"submission[posted_grade]={grade}," in out
    assert "/104" not in out and "/999" not in out


def test_a_student_canvas_refuses_is_named_and_the_others_are_posted(files, canvas, capsys):
    del canvas.state[102]                                  # bob is not enrolled
    assert upload(files, canvas) == 1
    err = capsys.readouterr().err
    assert "bob (Canvas user 102): not posted" in err
    assert canvas.state[101]["score"] == 87.5 and canvas.state[103]["score"] == 100


def test_a_wrong_token_stops_at_the_first_request_and_is_never_printed(files, canvas, capsys, monkeypatch):
    monkeypatch.setenv("CANVAS_API_TOKEN", "wrong-token-123")
    assert upload(files, canvas) == 1
    assert [r[:2] for r in canvas.requests] == [("GET", f"/api/v1/courses/{COURSE}")]
    out, err = capsys.readouterr()
    assert "rnngrade: Canvas: course 7" in err and "wrong-token-123" not in out + err


@pytest.mark.parametrize("extra, message", [
    (("--url", "http://canvas.example.edu"), "unencrypted"),
    (("--url", "https://canvas.example.edu/api/v1"), "without /api/v1"),
    (("--course", "CS-101"), "is not a Canvas id"),
    (("--url", None), "--url or CANVAS_API_URL"),
    (("--assignment-id", None), "--assignment-id"),
])
def test_upload_misuse_exits_2_before_any_request(files, canvas, capsys, extra, message):
    args = {"--course": COURSE, "--assignment-id": ASSIGNMENT, "--url": canvas.url}
    args.update(zip(extra[::2], extra[1::2]))
    assert run(files, "--upload", *[x for kv in args.items() if kv[1] is not None for x in kv]) == 2
    assert message in capsys.readouterr().err and canvas.requests == []


def test_upload_without_token_exits_2(files, canvas, capsys, monkeypatch):
    monkeypatch.delenv("CANVAS_API_TOKEN")
    assert upload(files, canvas, "--token-env", "MY_CANVAS_TOKEN") == 2
    assert "MY_CANVAS_TOKEN" in capsys.readouterr().err and canvas.requests == []
