# SPDX-License-Identifier: MIT
# The CLI tests again under valgrind memcheck (docs/reliability.md):
# memcheck/cli/NAME runs tests/cli/NAME.sh with CADENCE_TEST_VALGRIND=1, so
# that every run of the binary goes through valgrind (tests/memcheck/
# valgrind.sh) and any error or definite/indirect leak fails the test.
# A script knows it runs there (tests/cli/lib.sh): under_valgrind; `runs N
# M`, a loop of N runs that take one code path again and again keeping M of
# them under valgrind (breaker_state's parallel runs); $cadence_again, the
# binary itself, for a run that repeats step for step one valgrind already
# saw in the script (init's generated tests run again).  Of the rest, the
# wrapper (tests/memcheck/valgrind.sh) runs each command's first run and
# a third of the others under valgrind; every run is under ASan + UBSan
# in the sanitizer suite.
# Off by default (valgrind makes them slow); CI turns it on in the plain
# build (a sanitizer build cannot run under valgrind).  Left out: the
# Mermaid render and the dashboard in a browser (Chromium: the pages'
# paths run under valgrind in cli/dashboard), the install test (it builds and installs
# this build, which the other tests already run) and first_hour (it runs
# the installed binary, not the one under valgrind), wide_growth (a growth
# measure over large files), serve_load (500 runs through serve: its
# paths run under valgrind in cli/serve) and registry_concurrency
# (processes racing for the registry for seconds: valgrind serialises
# them, and the registry's paths run under valgrind in cli/registry) and
# argo_harness (the self-test of the local Argo executor: Python on
# hand-written manifests, cadence run once) and export_argo_equiv (exported
# workflows run by that executor: the exports run under valgrind in
# cli/export_argo, the step modes in cli/step).
option(CADENCE_MEMCHECK "Also run the CLI tests under valgrind memcheck (memcheck/cli/*)" OFF)

if(CADENCE_MEMCHECK)
  find_program(CADENCE_VALGRIND valgrind REQUIRED)
  file(GLOB scripts CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/tests/cli/*.sh)
  foreach(script ${scripts})
    get_filename_component(name ${script} NAME_WE)
    if(name MATCHES "^(lib|diagram_mermaid|install|first_hour|wide_growth|registry_concurrency|serve_load|dashboard_browser|argo_harness|export_argo_equiv)$")
      continue()
    endif()
    # the environment of cli/NAME (tests/cli.cmake, tests/run.cmake), and
    # the switch
    set(env "CI=true;NO_COLOR=")
    if(TEST cli/${name})
      get_test_property(cli/${name} ENVIRONMENT env)
    endif()
    add_test(NAME memcheck/cli/${name}
             COMMAND bash ${script} $<TARGET_FILE:cadence> ${PROJECT_SOURCE_DIR})
    # 77: skipped, as cli/NAME (a tool the script needs is missing)
    set_tests_properties(memcheck/cli/${name} PROPERTIES LABELS memcheck
      ENVIRONMENT "${env};CADENCE_TEST_VALGRIND=1" SKIP_RETURN_CODE 77)
    # the longest ones first, so that the last to finish is a short one
    # (a fresh build has no timings for ctest to order them by)
    if(name MATCHES "^(scheduled|serve_schedules|serve_restart|schedule_export|registry)$")
      set_tests_properties(memcheck/cli/${name} PROPERTIES COST 2000)
    elseif(name MATCHES "^(breaker_state|cli_doc|config|diagram|outputs|probe|resume|run|serve|validate|numbers|step|export_n8n|export_argo)$")
      set_tests_properties(memcheck/cli/${name} PROPERTIES COST 1000)
    endif()
  endforeach()
endif()
