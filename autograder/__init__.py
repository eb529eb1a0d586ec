"""The autograder of the RNN-gradients assignment.

Layers, each using only the ones above it:
    spec        the contract as data: questions, functions, points, limits
    gradcheck   central differences and relative errors
    student     Outcome and the Student interface (call a student function)
    compare     staged comparison of one output (type, shape, finite, values)
    cases       seeded hidden inputs, reference results computed once
    checks/     one module per question: plain functions over a Student
    grading     run every check, add up points per question
    sandbox/    run student code in a limited child process (SandboxedStudent)
    cli         the ``rnngrade`` command
"""
