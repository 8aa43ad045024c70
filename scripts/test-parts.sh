# shellcheck shell=bash
# The two parts of ./testbed test's ctest run, as label selections. Part 1
# runs while the guest kernels build in the background (it needs none); part
# 2 after: the VM tests, the host tests that need the built kernels (label
# kernels) and those that judge CPU use and need a quiet host (label quiet).
# Sourced by scripts/test.sh and by the repo.test_parts test, which checks
# that every test is in exactly one part.
# shellcheck disable=SC2034 # used by the scripts that source this file
tb_test_part1=(-L 'unit|repo|host' -LE 'kernels|quiet')
tb_test_part2=(-L 'vm|kernels|quiet')
