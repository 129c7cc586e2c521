# SPDX-License-Identifier: MIT
# cadence_defaults(TARGET): what every target of cadence's own is compiled
# with.  Warnings are set per target, not with add_compile_options(), so a
# project that adds cadence with add_subdirectory() keeps its own flags.
set(CADENCE_WARNINGS -Wall -Wextra -pedantic -Wshadow -Wstrict-prototypes
    -Wmissing-prototypes -Wformat=2 -Wno-format-nonliteral)
function(cadence_defaults target)
  target_compile_options(${target} PRIVATE ${CADENCE_WARNINGS})
  target_compile_definitions(${target} PRIVATE _POSIX_C_SOURCE=200809L)
  if(CADENCE_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
