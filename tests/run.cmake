# SPDX-License-Identifier: MIT
# The run engine's test plugin: C notes in a shared object, loaded by the
# unit tests (CADENCE_TEST_PLUGIN) and by tests/cli/run.sh, procs.sh, step.sh and runlog.sh
# (environment).
add_library(cadence_test_plugin MODULE ${CMAKE_CURRENT_SOURCE_DIR}/run/plugin.c)
# a plugin includes the headers and links nothing of the library: the
# host (the cadence binary, a test) provides the note API
target_link_libraries(cadence_test_plugin PRIVATE cadence_headers)
cadence_defaults(cadence_test_plugin)
if(TARGET test_run_engine)
  target_compile_definitions(test_run_engine PRIVATE
    CADENCE_TEST_PLUGIN="$<TARGET_FILE:cadence_test_plugin>")
  add_dependencies(test_run_engine cadence_test_plugin)
endif()
foreach(t cli/run cli/procs cli/step cli/runlog)
  if(TEST ${t})
    set_property(TEST ${t} APPEND PROPERTY ENVIRONMENT
      "CADENCE_TEST_PLUGIN=$<TARGET_FILE:cadence_test_plugin>")
  endif()
endforeach()

# A program embedding the library (examples/embedded/): builds a cadence in
# C and runs it.
add_test(NAME run/embedded COMMAND cadence_embedded)

# The examples run end to end with the checkout's C notes (examples/CMakeLists.txt);
# step.sh runs them measure by measure, and export_argo_equiv as Argo workflows.
foreach(t cli/examples cli/step cli/export_argo_equiv)
  if(TEST ${t} AND TARGET checkout_notes)
    set_property(TEST ${t} APPEND PROPERTY ENVIRONMENT
      "CADENCE_EXAMPLE_NOTES=$<TARGET_FILE:checkout_notes>")
  endif()
endforeach()

# ThreadSanitizer on the run engine's threads (tests/run/tsan.sh): a build
# of the library of its own, so label slow (CI runs it, `ctest -L slow`).
# Not in a sanitizer build: ASan and TSan do not mix, and CI runs it once,
# from the plain build.
if(NOT CADENCE_SANITIZE)
  add_test(NAME run/tsan
           COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/run/tsan.sh ${PROJECT_BINARY_DIR}/tsan)
  set_tests_properties(run/tsan PROPERTIES LABELS slow SKIP_RETURN_CODE 77
                       ENVIRONMENT "CC=${CMAKE_C_COMPILER}")
endif()
