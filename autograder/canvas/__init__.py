"""Grades into Canvas: the gradebook-import CSV (``gradebook``) and the
upload of scores and feedback comments with ``canvasapi`` (``upload``);
``command.run`` is ``rnngrade canvas``. A front end: it reads grades.csv and
feedback/ as ``rnngrade grade --out`` writes them, and nothing imports it."""
