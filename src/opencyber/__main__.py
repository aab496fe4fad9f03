import sys

from opencyber.cli import main

sys.exit(main())
