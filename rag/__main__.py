"""`python -m rag` runs the `rag` command."""

import sys

from .cli import main

sys.exit(main())
