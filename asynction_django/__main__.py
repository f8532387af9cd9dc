"""``python -m asynction_django``: the commands, with or without a project (:mod:`.cli`)."""

from .cli import main

main()
