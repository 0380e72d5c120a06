#!/bin/sh
# Stands in for the unit tests when configure found no 'check' library.
echo "The unit tests need the 'check' library (pkg-config: check)." >&2
echo "Install it (Debian: apt-get install check) and run ./configure again." >&2
exit 99
