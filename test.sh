#!/usr/bin/env bash
# The test command of the README: restores, builds (patching TorchSharp's native library for
# Debian 12 on the way) and runs every test project of the solution.
set -euo pipefail
cd "$(dirname "$0")"
# glibc backs libtorch's large temporaries with transparent huge pages: 8x fewer page faults (README, "Allocator").
export GLIBC_TUNABLES="${GLIBC_TUNABLES:-glibc.malloc.hugetlb=1}"
dotnet test Suite.sln -c Release --logger "console;verbosity=normal" "$@"
