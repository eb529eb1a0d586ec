"""Entry points that grading platforms run inside their containers.

- ``gradescope``: ``run_autograder`` of the hardened Gradescope zip reads
  ``$AUTOGRADER_ROOT/submission/`` and writes
  ``$AUTOGRADER_ROOT/results/results.json``;
- ``prairielearn``: PrairieLearn's external grader reads
  ``$RNNGRADE_GRADE_ROOT/student/`` (default ``/grade``) and writes
  ``results/results.json``;
- ``single``: what both share: find the one file of an upload and grade it
  in the sandbox, as ``rnngrade grade`` does.

Both grade with the sandbox in the grading process, never in the student's
kernel, so a patched numpy or a forged results file changes nothing.
"""
