"""Input/output helpers kept apart from the domain code.

- ``atomic``: atomic writes of files and directories;
- ``checksum``: the sha256 of a file;
- ``download``: HTTP downloads with one retry policy, resumed when cut midway;
- ``reading``: a failure to read a file turned into an error for users.
"""
