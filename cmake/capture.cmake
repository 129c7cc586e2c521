# SPDX-License-Identifier: MIT
# Runs a command with its standard output to a file (and, optionally, its
# standard input from one), failing the build when it fails:
#
#   cmake -DOUT=FILE [-DIN=FILE] -P capture.cmake -- COMMAND ARG...
#
# Used to generate the completion scripts and the man page at build time
# without relying on a shell for the redirections.
cmake_minimum_required(VERSION 3.18)
set(cmd "")
set(seen 0)
foreach(i RANGE ${CMAKE_ARGC})
  if(seen)
    list(APPEND cmd "${CMAKE_ARGV${i}}")
  elseif("${CMAKE_ARGV${i}}" STREQUAL "--")
    set(seen 1)
  endif()
endforeach()
if(NOT cmd OR NOT DEFINED OUT)
  message(FATAL_ERROR "usage: cmake -DOUT=FILE [-DIN=FILE] -P capture.cmake -- COMMAND ARG...")
endif()
if(DEFINED IN)
  execute_process(COMMAND ${cmd} INPUT_FILE "${IN}" OUTPUT_FILE "${OUT}.tmp"
                  RESULT_VARIABLE rc)
else()
  execute_process(COMMAND ${cmd} OUTPUT_FILE "${OUT}.tmp" RESULT_VARIABLE rc)
endif()
if(NOT rc EQUAL 0)
  file(REMOVE "${OUT}.tmp")
  message(FATAL_ERROR "${cmd}: ${rc}")
endif()
file(RENAME "${OUT}.tmp" "${OUT}")
