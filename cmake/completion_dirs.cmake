# SPDX-License-Identifier: MIT
# Installs the three completion scripts where each shell reads them for the
# prefix of `cmake --install` (run at install time, from install.cmake, so
# that `--prefix` and DESTDIR apply).  Given by install.cmake:
#   CADENCE_COMPLETIONS_DIR   the generated scripts
#   CADENCE_{BASH,ZSH,FISH}_DIR   a directory set by the user ("" = choose)
#   CADENCE_BASH_REL          bash-completion's completionsdir under its
#                             prefix (pkg-config), share/bash-completion/...
#   CADENCE_ZSH_FPATH         zsh's $fpath, as `zsh -f` reports it
#   CADENCE_FISH_PATH         fish's $fish_complete_path with no
#                             XDG_DATA_DIRS and an empty home
# A chosen directory is the first of the prefix's conventional ones the
# shell reads; when it reads none, the conventional one (the docs say how
# to make the shell read it).  Debian's fish reads nothing under /usr/local:
# for that prefix, the local administrator's /etc/fish/completions.
set(cad_prefix "${CMAKE_INSTALL_PREFIX}")
string(REGEX REPLACE "(.)/+$" "\\1" cad_prefix "${cad_prefix}")

# cad_pick(VAR DEFAULT READS CANDIDATE...): the first CANDIDATE in READS
function(cad_pick var default reads)
  set(${var} "${default}" PARENT_SCOPE)
  foreach(c ${ARGN})
    list(FIND reads "${c}" i) # not IN_LIST: an install script sets no policy
    if(i GREATER -1)
      set(${var} "${c}" PARENT_SCOPE)
      return()
    endif()
  endforeach()
endfunction()

# cad_put(DIR FILE [NAME]): installs FILE into DIR (relative: to the prefix)
function(cad_put dir file)
  if(NOT IS_ABSOLUTE "${dir}")
    set(dir "${cad_prefix}/${dir}")
  endif()
  set(rename "")
  if(ARGC GREATER 2)
    set(rename RENAME "${ARGV2}")
  endif()
  file(INSTALL DESTINATION "${dir}" TYPE FILE ${rename}
       FILES "${CADENCE_COMPLETIONS_DIR}/${file}")
endfunction()

set(cad_bash "${CADENCE_BASH_DIR}")
if(NOT cad_bash)
  set(cad_bash "${cad_prefix}/${CADENCE_BASH_REL}")
endif()
set(cad_zsh "${CADENCE_ZSH_DIR}")
if(NOT cad_zsh)
  cad_pick(cad_zsh "${cad_prefix}/share/zsh/site-functions" "${CADENCE_ZSH_FPATH}"
           "${cad_prefix}/share/zsh/site-functions" "${cad_prefix}/share/zsh/vendor-completions")
endif()
set(cad_fish "${CADENCE_FISH_DIR}")
if(NOT cad_fish)
  set(cad_fish_local "")
  if(cad_prefix STREQUAL "/usr/local")
    set(cad_fish_local "/etc/fish/completions")
  endif()
  cad_pick(cad_fish "${cad_prefix}/share/fish/vendor_completions.d" "${CADENCE_FISH_PATH}"
           "${cad_prefix}/share/fish/vendor_completions.d" ${cad_fish_local})
endif()
cad_put("${cad_bash}" cadence.bash cadence)
cad_put("${cad_zsh}" _cadence)
cad_put("${cad_fish}" cadence.fish)
