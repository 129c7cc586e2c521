# SPDX-License-Identifier: MIT
# Allocation-failure sweeps (docs/reliability.md): failalloc.so makes the
# N-th allocation fail (LD_PRELOAD, CADENCE_FAIL_ALLOC=N); sweep.sh runs a
# command for every N up to its total.  The sweeps need a sanitizer build
# to see leaks, so they are on by default only with CADENCE_SANITIZE (CI's
# ASan + UBSan suite runs them).
option(CADENCE_ALLOC_SWEEP "Run the allocation-failure sweeps (alloc/*)" ${CADENCE_SANITIZE})

# a test tool, not part of the library: no sanitizer of its own, so it can
# sit in front of the sanitizer's allocator
add_library(failalloc MODULE ${CMAKE_CURRENT_LIST_DIR}/failalloc.c)
set_target_properties(failalloc PROPERTIES PREFIX "" C_EXTENSIONS OFF)
target_compile_options(failalloc PRIVATE -fno-sanitize=all)
target_link_options(failalloc PRIVATE -fno-sanitize=all)
# libgcc_s: the unwinder of --per-site, linked so that it is not dlopen()ed
target_link_libraries(failalloc PRIVATE ${CMAKE_DL_LIBS} gcc_s)

if(CADENCE_ALLOC_SWEEP)
  set(checkout ${PROJECT_SOURCE_DIR}/examples/checkout)
  # NAME|ARG|ARG...
  set(sweeps
    "validate|validate|${checkout}"
    "diagram-mermaid|diagram|${checkout}/checkout.cadence.yaml"
    "diagram-dot|diagram|--format|dot|--expand|${checkout}/checkout.cadence.yaml")
  foreach(sweep ${sweeps})
    string(REPLACE "|" ";" parts "${sweep}")
    list(GET parts 0 name)
    list(REMOVE_AT parts 0)
    add_test(NAME alloc/${name}
             COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/sweep.sh $<TARGET_FILE:failalloc>
                     --per-site 3 $<TARGET_FILE:cadence> ${parts})
    # --per-site 3: the first three calls of each call stack fail in turn,
    # a fifth of every call (sweep.sh); COST: long tests, started first
    # so that ctest -j runs the rest beside them, not after them
    set_tests_properties(alloc/${name} PROPERTIES LABELS alloc COST 100000 ENVIRONMENT
      "LSAN_OPTIONS=suppressions=${PROJECT_SOURCE_DIR}/tests/lsan.supp:print_suppressions=0")
  endforeach()
endif()
