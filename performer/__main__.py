"""``python -m performer`` is the ``performer`` command."""

import sys

from performer.cli import main

sys.exit(main())
