#!/bin/sh
# make run: the demo on the built-in sample data (examples/).
set -e
cd "$(dirname "$0")/.."
build/ember examples/demo.sql
