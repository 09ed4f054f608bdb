"""`python -m runner` is the same as the `pm-runner` console script."""

from runner.cli import main

raise SystemExit(main())
