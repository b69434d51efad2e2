#!/bin/sh
# Stands in for the unit tests when configure found no cmocka: make check
# fails here, with what to install, rather than passing without them.
echo "the unit tests need cmocka: apt-get install libcmocka-dev, then ./configure again" >&2
exit 99
