# SPDX-License-Identifier: MIT
# CLI tests: they run the built `cadence` binary, as users do.

# One golden test per fixture: exact text output and exit status.
file(GLOB CADENCE_GOLDEN CONFIGURE_DEPENDS
     ${CMAKE_CURRENT_SOURCE_DIR}/golden/fixtures/*.cadence.yaml)
foreach(fixture ${CADENCE_GOLDEN})
  get_filename_component(name ${fixture} NAME)
  string(REPLACE ".cadence.yaml" "" name ${name})
  add_test(NAME golden/${name}
           COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/golden/run.sh
                   $<TARGET_FILE:cadence>
                   ${CMAKE_CURRENT_SOURCE_DIR}/golden/fixtures ${name})
endforeach()

# Scripted CLI tests: tests/cli/NAME.sh CADENCE SOURCE_DIR.
file(GLOB CADENCE_CLI_SCRIPTS CONFIGURE_DEPENDS
     ${CMAKE_CURRENT_SOURCE_DIR}/cli/*.sh)
# lib.sh is the scripts' shared helpers, not a test: run as one, it would
# always pass
list(REMOVE_ITEM CADENCE_CLI_SCRIPTS ${CMAKE_CURRENT_SOURCE_DIR}/cli/lib.sh)
# python3 as a version manager's shim (pyenv, asdf) runs it, resolved once
# here: through the shim each start costs most of a second, and most
# scripts start it (tests/cli/lib.sh; the scripts ask the shim without it)
find_program(CADENCE_PYTHON3 python3)
set(CADENCE_TEST_PYTHON "")
if(CADENCE_PYTHON3)
  execute_process(COMMAND ${CADENCE_PYTHON3} -c "import sys; print(sys.executable)"
                  OUTPUT_VARIABLE CADENCE_TEST_PYTHON
                  OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
endif()
foreach(script ${CADENCE_CLI_SCRIPTS})
  get_filename_component(name ${script} NAME_WE)
  add_test(NAME cli/${name}
           COMMAND bash ${script} $<TARGET_FILE:cadence> ${PROJECT_SOURCE_DIR})
  # 77: skipped (a tool the script needs is missing); other .cmake files
  # append to this environment
  set_tests_properties(cli/${name} PROPERTIES
    ENVIRONMENT "CI=true;NO_COLOR=;CADENCE_TEST_PYTHON=${CADENCE_TEST_PYTHON};CADENCE_TEST_SANITIZED=$<BOOL:${CADENCE_SANITIZE}>"
    SKIP_RETURN_CODE 77)
endforeach()

# sigraise.so (tests/sigraise/sigraise.c): cli/probe raises a signal in
# cadence just before a blocking call starts.  A test tool with no
# sanitizer, like failalloc.so.
add_library(sigraise MODULE ${CMAKE_CURRENT_SOURCE_DIR}/sigraise/sigraise.c)
set_target_properties(sigraise PROPERTIES PREFIX "" C_EXTENSIONS OFF)
target_compile_options(sigraise PRIVATE -fno-sanitize=all)
target_link_options(sigraise PRIVATE -fno-sanitize=all)
target_link_libraries(sigraise PRIVATE ${CMAKE_DL_LIBS})
set_property(TEST cli/probe APPEND PROPERTY ENVIRONMENT
  "CADENCE_TEST_SIGRAISE=$<TARGET_FILE:sigraise>")

# Wide cadences: seconds when every path is linear, minutes when one is
# not (tests/cli/wide_check.sh)
set_tests_properties(cli/wide_check PROPERTIES TIMEOUT 120)

# The cross-check of `schedule export` against systemd-analyze calendar
# (tests/cli/schedule_export.sh): 240 generated expressions, each exported
# and asked for its times, about 15 s; first, so that it does not finish
# last
set_tests_properties(cli/schedule_export PROPERTIES TIMEOUT 120 COST 1000)
# The other long ones start first too (a fresh build, as in CI, has no
# timings for ctest to order them by): serve_schedules waits for the
# minute to turn, the others run hundreds of processes
set_tests_properties(cli/serve_schedules cli/export_n8n cli/export_argo_equiv cli/step
  cli/serve_openapi cli/diagram_dot PROPERTIES COST 1000)

# Slow by nature, label slow: the README's test command leaves them out
# (`-LE slow`), CI runs them (`ctest -L slow`), so nothing goes unchecked.
# cli/wide_growth counts instructions under valgrind on files of 3,000
# notes; cli/install builds and installs the project and builds consumers
# of it; cli/diagram_mermaid starts headless Chromium for three Mermaid
# versions (about 30 s).  (run/tsan, tests/run.cmake, builds the library
# with TSan.)
set_tests_properties(cli/wide_growth cli/install cli/diagram_mermaid PROPERTIES LABELS slow)
# cli/registry_concurrency: 8 processes share the run registry for 30 s
set_tests_properties(cli/registry_concurrency PROPERTIES LABELS slow TIMEOUT 300)
# cli/serve_restart: SIGTERM during 20 runs, a SIGKILL of serve and the
# restarts after them (about 30 s)
set_tests_properties(cli/serve_restart PROPERTIES LABELS slow TIMEOUT 300)
# cli/serve_load: 500 triggers of cadence serve from 20 clients (bench/serve.sh
# --check), each a `cadence run` process
set_tests_properties(cli/serve_load PROPERTIES LABELS slow TIMEOUT 600)

# Checks of the source tree; they skip (77) outside a git checkout.
add_test(NAME meta/spdx COMMAND sh ${PROJECT_SOURCE_DIR}/scripts/check-spdx.sh)
add_test(NAME meta/guards COMMAND sh ${PROJECT_SOURCE_DIR}/scripts/check-guards.sh)
set_tests_properties(meta/spdx meta/guards PROPERTIES SKIP_RETURN_CODE 77)
# docs/architecture.md names every module and public header; no *_int.h
# crosses a module
add_test(NAME meta/architecture COMMAND sh ${PROJECT_SOURCE_DIR}/scripts/check-architecture.sh)

# cli/install installs this build into a temporary prefix and compiles
# against it: it needs the build directory, the compiler and, in a
# sanitizer build, the sanitizer flags the installed library was built with.
if(TEST cli/install)
  set(CADENCE_TEST_CFLAGS "")
  if(CADENCE_SANITIZE)
    set(CADENCE_TEST_CFLAGS "-fsanitize=address,undefined -fno-sanitize-recover=all")
  endif()
  set_property(TEST cli/install APPEND PROPERTY ENVIRONMENT
    "CADENCE_BUILD_DIR=${PROJECT_BINARY_DIR};CADENCE_TEST_CC=${CMAKE_C_COMPILER};CADENCE_TEST_CFLAGS=${CADENCE_TEST_CFLAGS}")
endif()
# cli/install_staged stages `cmake --install` of this build to /usr/local
set_property(TEST cli/install_staged APPEND PROPERTY ENVIRONMENT
  "CADENCE_BUILD_DIR=${PROJECT_BINARY_DIR}")

# cli/first_hour installs this build into a temporary prefix as well, and
# runs the README's Getting started from it (about 10 s: not slow)
set_property(TEST cli/first_hour APPEND PROPERTY ENVIRONMENT
  "CADENCE_BUILD_DIR=${PROJECT_BINARY_DIR}")

# cli/serve_openapi: the npm packages of tests/openapi (swagger-parser,
# Ajv), installed by `npm ci` from its lock file into the build tree the
# first time the test runs (skipped, 77, when they cannot be)
set_property(TEST cli/serve_openapi APPEND PROPERTY ENVIRONMENT
  "CADENCE_TEST_NODE_DIR=${CMAKE_BINARY_DIR}/tests/openapi-node")

# cli/export_n8n: the npm package of tests/n8n (n8n-workflow, for its
# safeParseWorkflowStructure), installed by `npm ci --ignore-scripts` from
# its lock file into the build tree the first time the test runs, unless
# install-deps.sh installed it in tests/n8n at that lock (that check
# skipped when it cannot be).  Only the plain build's run uses it: under
# valgrind (memcheck/cli/export_n8n) and in a sanitizer build the script
# skips those checks of the same bytes, and installs nothing.
set_property(TEST cli/export_n8n APPEND PROPERTY ENVIRONMENT
  "CADENCE_TEST_NODE_DIR=${CMAKE_BINARY_DIR}/tests/n8n-node")

# cli/otlp_decode: the npm packages of tests/otlp (the protobufjs root of
# @opentelemetry/otlp-transformer, for decode.mjs), installed by `npm ci`
# from its lock file into the build tree the first time the test runs
# (tests/cli/lib.sh need_npm; skipped, 77, when they cannot be).  A test of
# the exporter's requests can share the directory: the same lock, one
# `npm ci` at a time.
set_property(TEST cli/otlp_decode cli/otlp_export APPEND PROPERTY ENVIRONMENT
  "CADENCE_TEST_NODE_DIR=${CMAKE_BINARY_DIR}/tests/otlp-node")
