"""The otter-grader release of one language, from the real ``otter assign``.

    build_otter("en", "build/en/otter")

writes

    otter/student/rnn_gradients.ipynb     the student notebook: our stubs, the
                                          public checks as otter's grader.check
                                          cells, the rnn_checks bundle beside it
    otter/autograder/                     otter's autograder folder: the solution
                                          notebook with the hidden tests and
    otter/autograder/rnn_gradients-autograder.zip   the Gradescope zip

The master notebook otter assign reads is generated from our solution and
student notebooks (autograder.build.build_notebooks):

- per question q0..q6 a ``# BEGIN QUESTION`` block (points from
  autograder/spec.py) around its function cells. A function cell holds the
  stub as an otter prompt (kept as a string in the solution) and the answer
  key in ``# BEGIN SOLUTION NO PROMPT``, so the student's cell is exactly
  our stub;
- its tests: one public test, ``check(qid, globals())`` of the rnn_checks
  bundle (0 points; on failure doctest's "Got:" shows the check's report),
  and one hidden test per function, ``incell.function_passed``, worth that
  function's points. Otter test cases are all-or-nothing, so a function
  earns all its points or none, where rnngrade gives partial credit;
- each written question (an answer cell) a ``manual: true`` question worth
  its rubric's points (the notebook source's rubric block), its prompt our
  answer prompt and its solution the model answer and the rubric;
- at the end, a cell that writes the written answers' PDF without LaTeX
  (autograder/written/release.py; otter's own PDF export is off).

The hidden tests import ``autograder`` and ``solutions``: both packages go
into the autograder zip only (otter's ``autograder_files``), never into
student/. Building twice gives the same bytes: otter's timestamped zip is
renamed to ZIP_NAME (otter offers no option for its name) and repacked with
sorted entries and fixed dates, and the cells otter adds (random ids) get
fixed ids.
"""

import copy
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import nbformat
import yaml

from autograder import spec
from autograder.written import release as written_release
from . import notebook, otter_config

REPO = Path(__file__).resolve().parent.parent.parent
MASTER_NAME = "rnn_gradients.ipynb"
ZIP_NAME = "rnn_gradients-autograder.zip"
CHECKS_PACKAGE = "rnn_checks"
SHIPPED_PACKAGES = ("autograder", "solutions")       # autograder zip only
ASSIGN_TIMEOUT = 1800                                # seconds: the machine may be busy
ZIP_DATE = (2020, 1, 1, 0, 0, 0)

PUBLIC_TEST = ('from {package} import check\n_result = check("{qid}", globals(), quiet=True)\n'
               'bool(_result.passed) or _result')
HIDDEN_TEST = 'from autograder import incell\nbool(incell.function_passed("{name}", globals()))'


# Otter writes its submission instructions in English; the zh release gets ours.
OTTER_SUBMISSION_TEXT = (
    "## Submission\n\nMake sure you have run all cells in your notebook in order before running "
    "the cell below, so that all images/graphs appear in the output. The cell below will "
    "generate a zip file for you to submit. **Please save before exporting!**")
SUBMISSION_TEXT = {
    "zh": "## 提交\n\n导出之前，请先从头按顺序运行本笔记本的全部单元格，让所有图像都出现在输出中。"
          "下面的单元格会生成一个 zip 文件，请把它上传到 Gradescope。**导出前请先保存笔记本！**",
}


class OtterBuildFailed(RuntimeError):
    """otter assign failed; the message holds its output."""


def _raw(text):
    return nbformat.v4.new_raw_cell(text)


def _config_cell(kind, config):
    """A raw otter block cell: ``# BEGIN QUESTION`` with its YAML config, and so on."""
    body = yaml.safe_dump(config, sort_keys=False, allow_unicode=True).strip()
    return _raw(f"# {kind}\n{body}")


def _test_cell(code, config):
    """An otter test cell whose saved output is True (what the test expects)."""
    head = '""" # BEGIN TEST CONFIG\n' + yaml.safe_dump(config, sort_keys=False).strip() \
        + '\n""" # END TEST CONFIG\n'
    cell = nbformat.v4.new_code_cell(head + code)
    cell.outputs = [nbformat.v4.new_output("execute_result", data={"text/plain": "True"},
                                           execution_count=1)]
    cell.execution_count = 1
    return cell


def function_cell(solution_cell, stub_text):
    """The master's function cell: the stub as an otter prompt, the answer key as a
    solution that leaves no prompt. Otter's student version is the stub's lines."""
    if "'''" in stub_text or "'''" in solution_cell.source:
        raise ValueError(f"{solution_cell.id}: ''' would end otter's prompt string")
    source = ("''' # BEGIN PROMPT\n" + stub_text.strip("\n") + "\n''' # END PROMPT\n"
              "# BEGIN SOLUTION NO PROMPT\n" + solution_cell.source.strip("\n")
              + "\n# END SOLUTION")
    cell = nbformat.v4.new_code_cell(source)
    cell.id = solution_cell.id
    cell.metadata = dict(solution_cell.metadata)
    return cell


def _question(qid):
    return next(q for q in spec.QUESTIONS if q.id == qid)


def _question_tests(qid, public):
    """The tests block of one question: the public check, then one hidden test per function."""
    q = _question(qid)
    cells = [_raw("# BEGIN TESTS")]
    if public:
        cells.append(_test_cell(PUBLIC_TEST.format(package=CHECKS_PACKAGE, qid=qid),
                                {"points": 0}))
    for name, points in q.points.items():
        cells.append(_test_cell(HIDDEN_TEST.format(name=name),
                                {"hidden": True, "points": points}))
    return cells + [_raw("# END TESTS"), _raw("# END QUESTION")]


def _role(cell):
    return cell.metadata.get("rnngrade", {}).get("role")


def _spans(cells):
    """{index of a question's first function cell: qid} and {index of its last: qid}."""
    first, last = {}, {}
    for i, cell in enumerate(cells):
        if _role(cell) == "function":
            qid = cell.metadata["rnngrade"]["question"]
            first.setdefault(qid, i)
            last[qid] = i
    return {i: q for q, i in first.items()}, {i: q for q, i in last.items()}


def _written_starts(cells):
    """{index where a written question's block starts: answer cell index}: the plain
    Markdown cell just before an answer cell is its question text."""
    starts = {}
    for i, cell in enumerate(cells):
        if _role(cell) == "answer":
            before = i - 1
            plain = before >= 0 and cells[before].cell_type == "markdown" and not _role(cells[before])
            starts[before if plain else i] = i
    return starts


def master_notebook(books, config, files=(), autograder_files=(), public=True):
    """The otter master notebook from {"student": nb, "solution": nb} of one language.

    config is a validated otter config (otter_config.load); files and
    autograder_files name folders next to the master (otter's keys).
    """
    solution, student = books["solution"].cells, books["student"].cells
    if [c.id for c in solution] != [c.id for c in student]:
        raise ValueError("the student and solution notebooks do not have the same cells")
    begins, ends = _spans(solution)
    written = _written_starts(solution)
    cells = [_config_cell("ASSIGNMENT CONFIG", otter_config.assignment_config(
        config, files, autograder_files))]
    for i, (sol, stu) in enumerate(zip(solution, student)):
        if _role(sol) == "check":
            continue                      # otter's grader.check cell takes its place
        if i in begins:
            qid = begins[i]
            points = sum(_question(qid).points.values())
            cells.append(_config_cell("BEGIN QUESTION", {"name": qid, "points": points}))
        if i in written:
            role = solution[written[i]].metadata["rnngrade"]      # points: the rubric's
            cells.append(_config_cell("BEGIN QUESTION", {"name": role["name"], "manual": True,
                                                         "points": role["points"]}))
        if _role(sol) == "function":
            cells += [_raw("# BEGIN SOLUTION"), function_cell(sol, stu.source),
                      _raw("# END SOLUTION")]
        elif _role(sol) == "answer":
            prompt = copy.deepcopy(stu)
            prompt.id = f"{sol.id}-prompt"
            cells += [_raw("# BEGIN PROMPT"), prompt, _raw("# END PROMPT"),
                      _raw("# BEGIN SOLUTION"), copy.deepcopy(sol), _raw("# END SOLUTION"),
                      _raw("# END QUESTION")]
        else:
            cells.append(copy.deepcopy(sol))
        if i in ends:
            cells += _question_tests(ends[i], public)
    cells += written_release.export_cells(books["solution"].metadata["rnngrade"]["lang"], MASTER_NAME)
    ours = {c.id for c in solution} | {f"{c.id}-prompt" for c in solution}
    for index, cell in enumerate(cells):
        if cell.get("id") not in ours:          # raw and test cells: fixed ids
            cell.id = f"otter-master-{index:03d}"
    nb = nbformat.v4.new_notebook(cells=cells, metadata=dict(books["solution"].metadata))
    nbformat.validate(nb)
    return nb


# Run in a fresh interpreter (trusted code: the answer key and the stubs):
# grade both with the hidden checks of every question and print the files of
# our packages that were loaded, lazily imported ones included.
_TRACE = """
import sys
from autograder import incell, spec, submissions
for source in (submissions.reference_source(), submissions.stub_source()):
    namespace = {}
    exec(compile(source, "trusted", "exec"), namespace)
    for qid in spec.QUESTION_IDS:
        incell.question_score(qid, namespace)
for module in list(sys.modules.values()):
    print(getattr(module, "__file__", None) or "")
"""


def hidden_check_files():
    """The files of ``autograder`` and ``solutions`` the hidden tests load, as
    paths relative to the repository (package ``__init__`` files included)."""
    done = subprocess.run([sys.executable, "-c", _TRACE], cwd=REPO, capture_output=True,
                          text=True, timeout=ASSIGN_TIMEOUT, check=True)
    files = set()
    for line in done.stdout.splitlines():
        path = Path(line) if line else None
        if path is None or not path.is_relative_to(REPO):
            continue
        rel = path.relative_to(REPO)
        if rel.parts[0] in SHIPPED_PACKAGES:
            files.add(rel)
            for depth in range(1, len(rel.parts)):
                files.add(Path(*rel.parts[:depth], "__init__.py"))
    return sorted(files)


def _copy_shipped(dest):
    """Copy the hidden tests' modules of our packages into dest (same layout)."""
    for rel in hidden_check_files():
        (dest / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(REPO / rel, dest / rel)


def _stage(stage, books, config, public):
    """Write the master and everything it names into the folder stage; returns the master's path."""
    files = []
    if public:
        from autograder import public as public_checks
        public_checks.write_bundle(stage)
        files.append(CHECKS_PACKAGE)
    written_release.write_package(stage)               # the written answers' PDF export
    files.append(written_release.PACKAGE)
    _copy_shipped(stage)
    shutil.copy(config["requirements"], stage / Path(config["requirements"]).name)
    for extra in config.get("files", []):
        (shutil.copytree if Path(extra).is_dir() else shutil.copy)(extra, stage / Path(extra).name)
    master = master_notebook(books, config, files, SHIPPED_PACKAGES, public)
    return notebook.write(master, stage / MASTER_NAME)


def run_otter_assign(master, result, run_tests=True):
    """Run the real ``otter assign`` in a subprocess; raises OtterBuildFailed with its output."""
    command = [sys.executable, "-m", "otter", "assign", str(master), str(result)]
    if not run_tests:
        command.append("--no-run-tests")
    done = subprocess.run(command, cwd=master.parent, capture_output=True, text=True,
                          timeout=ASSIGN_TIMEOUT)
    if done.returncode != 0:
        raise OtterBuildFailed(f"otter assign failed (exit {done.returncode}):\n"
                               f"{done.stdout[-4000:]}\n{done.stderr[-4000:]}")
    return done


def repack_zip(src, dest):
    """Copy a zip with its entries sorted and fixed timestamps and modes, so the
    same content gives the same bytes."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zout:
        for name in sorted(zin.namelist()):
            info = zin.getinfo(name)
            fixed = zipfile.ZipInfo(name, ZIP_DATE)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = (0o755 if info.external_attr >> 16 & 0o111 else 0o644) << 16
            if name.endswith("/"):
                fixed.external_attr = (0o40755 << 16) | 0x10
            zout.writestr(fixed, zin.read(name))


def _rewrite(path, known, lang):
    """Give the cells otter created (random ids) fixed ones, put otter's submission
    instructions in the notebook's language, and rewrite the notebook stably."""
    nb = nbformat.read(path, as_version=4)
    localised = lang not in SUBMISSION_TEXT
    for index, cell in enumerate(nb.cells):
        if cell.get("id") not in known:
            cell.id = f"otter-{index:03d}"
            if cell.cell_type == "markdown" and OTTER_SUBMISSION_TEXT in cell.source:
                cell.source = cell.source.replace(OTTER_SUBMISSION_TEXT, SUBMISSION_TEXT.get(
                    lang, OTTER_SUBMISSION_TEXT))
                localised = True
    if not localised:
        raise OtterBuildFailed(f"{path}: otter's submission instructions were not found "
                               "(a new otter version?): update OTTER_SUBMISSION_TEXT")
    notebook.write(nb, path)


def _normalise(result, known_ids, lang):
    """Make otter's output byte-stable: one zip name without otter's timestamp,
    repacked with fixed dates; fixed ids for the cells otter adds (and their
    text in the notebook's language)."""
    zips = sorted((result / "autograder").glob("*-autograder_*.zip"))
    if len(zips) != 1:
        raise OtterBuildFailed(f"expected one autograder zip from otter assign, found {len(zips)}")
    repack_zip(zips[0], result / "autograder" / ZIP_NAME)
    zips[0].unlink()
    for variant in ("student", "autograder"):
        _rewrite(result / variant / MASTER_NAME, known_ids, lang)


def build_otter(lang, out_dir, books=None, config_path=None, public=True, log=None):
    """Build the otter release of one language into out_dir (replaced if present).

    Inputs:
    - lang: "en" or "zh"
    - out_dir: the release folder, e.g. DIR/<lang>/otter
    - books: {"student": nb, "solution": nb} (built here when None)
    - config_path: an otter_config.json (the repository's when None)
    - public: ship the rnn_checks bundle and the public tests
    - log: a function taking one line of progress, or None

    Returns the list of files written (the student folder, the autograder
    folder, ZIP_NAME among them). Raises OtterConfigError for a bad
    config and OtterBuildFailed when otter assign fails (its tests included:
    the solution notebook must earn every point).
    """
    from . import build_notebooks

    config = otter_config.load(config_path)
    books = books if books is not None else build_notebooks(lang)
    out_dir = Path(out_dir)
    with tempfile.TemporaryDirectory(prefix="rnngrade-otter-") as tmp:
        stage = Path(tmp) / "master"
        stage.mkdir()
        master = _stage(stage, books, config, public)
        known = {c.id for c in nbformat.read(master, as_version=4).cells}
        result = Path(tmp) / "dist"
        run_otter_assign(master, result, run_tests=config.get("run_tests", True))
        _normalise(result, known, lang)
        if out_dir.exists():
            shutil.rmtree(out_dir)
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(result, out_dir)
    if log is not None:
        log(f"wrote {out_dir / 'student'} and {out_dir / 'autograder' / ZIP_NAME} (otter assign)")
    return sorted(p for p in out_dir.rglob("*") if p.is_file())
