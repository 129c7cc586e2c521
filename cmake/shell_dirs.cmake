# SPDX-License-Identifier: MIT
# Where the shells of this machine read completions, asked of them when
# cadence is configured (cmake/completion_dirs.cmake chooses from these at
# install time):
#   CADENCE_BASH_REL    bash-completion's completionsdir relative to its
#                       prefix (pkg-config), else share/bash-completion/completions
#   CADENCE_ZSH_FPATH   zsh's compiled-in $fpath (zsh -f: no startup files)
#   CADENCE_FISH_PATH   fish's $fish_complete_path as a user with no
#                       configuration and no XDG_DATA_DIRS has it
set(CADENCE_BASH_REL "share/bash-completion/completions")
find_program(CADENCE_PKG_CONFIG pkg-config)
mark_as_advanced(CADENCE_PKG_CONFIG)
if(CADENCE_PKG_CONFIG)
  execute_process(COMMAND "${CADENCE_PKG_CONFIG}" --define-variable=prefix=/PREFIX
                          --variable=completionsdir bash-completion
                  OUTPUT_VARIABLE dir OUTPUT_STRIP_TRAILING_WHITESPACE
                  RESULT_VARIABLE rc ERROR_QUIET)
  if(rc EQUAL 0 AND dir MATCHES "^/PREFIX/(.+)")
    set(CADENCE_BASH_REL "${CMAKE_MATCH_1}")
  endif()
endif()

# cad_shell_dirs(VAR COMMAND...): the lines COMMAND prints, as a list; ""
# when it fails
function(cad_shell_dirs var)
  set(${var} "" PARENT_SCOPE)
  execute_process(COMMAND ${ARGN} OUTPUT_VARIABLE out RESULT_VARIABLE rc ERROR_QUIET)
  if(rc EQUAL 0)
    string(REGEX REPLACE "\n+$" "" out "${out}")
    string(REPLACE "\n" ";" out "${out}")
    set(${var} "${out}" PARENT_SCOPE)
  endif()
endfunction()

set(CADENCE_ZSH_FPATH "")
find_program(CADENCE_ZSH zsh)
mark_as_advanced(CADENCE_ZSH)
if(CADENCE_ZSH)
  cad_shell_dirs(CADENCE_ZSH_FPATH "${CADENCE_ZSH}" -f -c "print -rl -- \$fpath")
endif()

set(CADENCE_FISH_PATH "")
find_program(CADENCE_FISH fish)
mark_as_advanced(CADENCE_FISH)
if(CADENCE_FISH)
  set(home "${PROJECT_BINARY_DIR}/fish-home")
  file(MAKE_DIRECTORY "${home}")
  cad_shell_dirs(CADENCE_FISH_PATH "${CMAKE_COMMAND}" -E env --unset=XDG_DATA_DIRS
                 --unset=XDG_CONFIG_HOME --unset=XDG_DATA_HOME "HOME=${home}"
                 "${CADENCE_FISH}" -c "printf '%s\\n' \$fish_complete_path")
endif()
