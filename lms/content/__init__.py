"""Course content in ``courses/`` as data: reading and checking the files (``courses``,
``items``), what they read into (``specs``), and the registry through which learning, exams and
grading add each kind's validator and loader (``kinds``, ``sync``). This package imports from
no feature; the features import from it."""
