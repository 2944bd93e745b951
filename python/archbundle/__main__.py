"""`python3 -m archbundle validate FILE...` and `inspect FILE`: see archbundle.cli."""
import sys

from .cli import main

sys.exit(main(prog="python3 -m archbundle"))
