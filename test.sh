#!/usr/bin/env bash
# The test command of the README: restores, builds (patching TorchSharp's native library for
# Debian 12 on the way) and runs every test project of the solution.
set -euo pipefail
cd "$(dirname "$0")"
dotnet test Suite.sln -c Release --logger "console;verbosity=normal" "$@"
