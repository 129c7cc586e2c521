# SPDX-License-Identifier: MIT
# A deadline for every test of the current directory that has none of its
# own (included at the end of tests/ and fuzz/): a test that hangs (a lost
# signal, a process that never exits) fails after it instead of holding CI
# until CI's own limit kills everything, with no summary and no name of the
# culprit.  Deadlines, not time limits: each is about ten times the test's
# time on a loaded 2-core machine, so only a hang reaches it.
set(CADENCE_TEST_TIMEOUT 300 CACHE STRING "Deadline (s) of a test without one of its own")
set(CADENCE_TEST_TIMEOUT_LONG 1200 CACHE STRING
    "Deadline (s) of a test labelled memcheck, alloc or slow")
get_property(cadence_tests DIRECTORY PROPERTY TESTS)
foreach(t ${cadence_tests})
  get_test_property(${t} TIMEOUT timeout)
  if(timeout)
    continue()
  endif()
  get_test_property(${t} LABELS labels)
  set(timeout ${CADENCE_TEST_TIMEOUT})
  if(labels MATCHES "memcheck|alloc|slow")
    set(timeout ${CADENCE_TEST_TIMEOUT_LONG})
  endif()
  set_tests_properties(${t} PROPERTIES TIMEOUT ${timeout})
endforeach()
