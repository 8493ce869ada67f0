#!/bin/sh
# Prisma's CLI wants its native schema engine, which cannot be downloaded on these machines.
# generate/validate/format do not need it; anything that does fails loudly here (exit 1).
echo "prisma schema engine: not available offline (see shared NOTES.md)" >&2
exit 1
