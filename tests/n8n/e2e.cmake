# SPDX-License-Identifier: MIT
# n8n/e2e (tests/n8n/e2e.sh): a real n8n, installed from npm, runs the
# exports of the examples and fixtures, and their final scores must be
# cadence run's.  Opt in: it needs the npm registry, 3 GB and minutes (the
# first install takes about 10; $CADENCE_N8N_CACHE keeps it for the next
# run), so neither the README's command nor CI runs it.  Even when on, it
# is labelled slow too: `ctest -LE slow` leaves it out.
option(CADENCE_N8N_E2E "Add n8n/e2e: run the n8n exports in a real n8n from npm (slow, needs the registry)" OFF)
if(CADENCE_N8N_E2E)
  add_test(NAME n8n/e2e
           COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/n8n/e2e.sh $<TARGET_FILE:cadence>
                   ${PROJECT_SOURCE_DIR} $<TARGET_FILE:checkout_notes>)
  set_tests_properties(n8n/e2e PROPERTIES LABELS "slow;n8n-e2e" TIMEOUT 3600
    SKIP_RETURN_CODE 77
    ENVIRONMENT "CI=true;NO_COLOR=;CADENCE_TEST_PYTHON=${CADENCE_TEST_PYTHON}")
endif()
