# SPDX-License-Identifier: MIT
# Graphviz's libgvc renders `cadence diagram --format svg|png` in process.
# Optional: AUTO (the default) uses it when pkg-config finds libgvc, ON
# requires it, OFF builds without it (svg and png then fail with a clear
# error; mermaid and dot do not need it).  Debian: libgraphviz-dev.
# Sets CADENCE_HAVE_GVC; lib/CMakeLists.txt links PkgConfig::GVC privately.
set(CADENCE_WITH_GRAPHVIZ AUTO CACHE STRING "Render SVG/PNG with Graphviz libgvc: AUTO, ON or OFF")
set_property(CACHE CADENCE_WITH_GRAPHVIZ PROPERTY STRINGS AUTO ON OFF)

set(CADENCE_HAVE_GVC OFF)
if(NOT CADENCE_WITH_GRAPHVIZ STREQUAL "OFF")
  if(CADENCE_WITH_GRAPHVIZ STREQUAL "ON")
    pkg_check_modules(GVC REQUIRED IMPORTED_TARGET libgvc)
  else()
    pkg_check_modules(GVC QUIET IMPORTED_TARGET libgvc)
  endif()
  if(GVC_FOUND)
    set(CADENCE_HAVE_GVC ON)
  endif()
endif()
message(STATUS "cadence: SVG/PNG diagrams with libgvc: ${CADENCE_HAVE_GVC}")
# for the installed package: cadence.pc (Requires.private) and cadenceConfig.cmake
if(CADENCE_HAVE_GVC)
  set(CADENCE_PC_GVC " libgvc")
else()
  set(CADENCE_PC_GVC "")
endif()
