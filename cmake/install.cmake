# SPDX-License-Identifier: MIT
# `cmake --install`: the binary (cli/), the shared and static libraries,
# the headers, a pkg-config file, a CMake package (find_package(cadence) ->
# cadence::cadence, cadence::cadence_static, cadence::headers), shell
# completions (each where its shell reads it), the man pages and the documentation
# (README.md, LICENSE, CHANGELOG.md, docs/*.md and docs/*.json).  Every directory is a cache
# variable; the defaults follow GNUInstallDirs (CMAKE_INSTALL_DOCDIR:
# share/doc/cadence).
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(CADENCE_INSTALL_CMAKEDIR "${CMAKE_INSTALL_LIBDIR}/cmake/cadence" CACHE STRING
    "Where the CMake package of cadence goes")
set(CADENCE_INSTALL_PKGCONFIGDIR "${CMAKE_INSTALL_LIBDIR}/pkgconfig" CACHE STRING
    "Where cadence.pc goes")
# The completions: "" (the default) puts each where its shell reads it
# for the prefix (cmake/completion_dirs.cmake); a directory, relative to the
# prefix or absolute, overrides that.  A build directory configured before
# keeps the old fixed defaults in its cache: those go back to "", once (a
# first configure has no cache file yet, and its -D values are the user's)
if(NOT CADENCE_COMPLETIONDIRS_CHOSEN)
  foreach(old BASH=bash-completion/completions ZSH=zsh/vendor-completions
              FISH=fish/vendor_completions.d)
    string(REPLACE "=" ";" old "${old}")
    list(GET old 0 shell)
    list(GET old 1 dir)
    if(EXISTS "${CMAKE_BINARY_DIR}/CMakeCache.txt" AND
       CADENCE_INSTALL_${shell}_COMPLETIONDIR STREQUAL "${CMAKE_INSTALL_DATADIR}/${dir}")
      set_property(CACHE CADENCE_INSTALL_${shell}_COMPLETIONDIR PROPERTY VALUE "")
    endif()
  endforeach()
  set(CADENCE_COMPLETIONDIRS_CHOSEN ON CACHE INTERNAL "the completion directories are chosen")
endif()
set(CADENCE_INSTALL_BASH_COMPLETIONDIR "" CACHE STRING
    "Where the bash completion goes (empty: where bash-completion reads it)")
set(CADENCE_INSTALL_ZSH_COMPLETIONDIR "" CACHE STRING
    "Where the zsh completion goes (empty: a directory of zsh's fpath)")
set(CADENCE_INSTALL_FISH_COMPLETIONDIR "" CACHE STRING
    "Where the fish completion goes (empty: a directory fish reads)")

# --- the library, its headers, the CMake package -------------------------
# cadence::cadence (shared), cadence::cadence_static, cadence::headers
set(cadence_installed_libs cadence_headers cadence_lib)
if(CADENCE_BUILD_SHARED)
  list(APPEND cadence_installed_libs cadence_shared)
endif()
install(TARGETS ${cadence_installed_libs} EXPORT cadenceTargets
        ARCHIVE DESTINATION "${CMAKE_INSTALL_LIBDIR}"
        LIBRARY DESTINATION "${CMAKE_INSTALL_LIBDIR}" NAMELINK_SKIP
        RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}")
if(CADENCE_BUILD_SHARED)
  # the unversioned libcadence.so is for building against: a -dev package's
  install(TARGETS cadence_shared LIBRARY DESTINATION "${CMAKE_INSTALL_LIBDIR}" NAMELINK_ONLY)
endif()
install(DIRECTORY "${PROJECT_SOURCE_DIR}/lib/include/cadence"
        DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}" FILES_MATCHING PATTERN "*.h")
install(EXPORT cadenceTargets NAMESPACE cadence:: DESTINATION "${CADENCE_INSTALL_CMAKEDIR}")
configure_package_config_file("${CMAKE_CURRENT_LIST_DIR}/cadenceConfig.cmake.in"
  "${PROJECT_BINARY_DIR}/cadenceConfig.cmake"
  INSTALL_DESTINATION "${CADENCE_INSTALL_CMAKEDIR}")
# 0.x: a minor version may break the API
write_basic_package_version_file("${PROJECT_BINARY_DIR}/cadenceConfigVersion.cmake"
  VERSION "${PROJECT_VERSION}" COMPATIBILITY SameMinorVersion)
install(FILES "${PROJECT_BINARY_DIR}/cadenceConfig.cmake"
              "${PROJECT_BINARY_DIR}/cadenceConfigVersion.cmake"
        DESTINATION "${CADENCE_INSTALL_CMAKEDIR}")

# --- pkg-config: relocatable, so `cmake --install --prefix P` works ------
if(IS_ABSOLUTE "${CADENCE_INSTALL_PKGCONFIGDIR}")
  file(RELATIVE_PATH CADENCE_PC_PREFIX "${CADENCE_INSTALL_PKGCONFIGDIR}" "${CMAKE_INSTALL_PREFIX}")
else()
  file(RELATIVE_PATH CADENCE_PC_PREFIX "/prefix/${CADENCE_INSTALL_PKGCONFIGDIR}" "/prefix")
endif()
foreach(dir LIBDIR INCLUDEDIR)
  if(IS_ABSOLUTE "${CMAKE_INSTALL_${dir}}")
    set(CADENCE_PC_${dir} "${CMAKE_INSTALL_${dir}}")
  else()
    set(CADENCE_PC_${dir} "\${prefix}/${CMAKE_INSTALL_${dir}}")
  endif()
endforeach()
set(CADENCE_PC_DL "")
if(CMAKE_DL_LIBS)
  set(CADENCE_PC_DL "-l${CMAKE_DL_LIBS}")
endif()
configure_file("${CMAKE_CURRENT_LIST_DIR}/cadence.pc.in" "${PROJECT_BINARY_DIR}/cadence.pc" @ONLY)
install(FILES "${PROJECT_BINARY_DIR}/cadence.pc" DESTINATION "${CADENCE_INSTALL_PKGCONFIGDIR}")

# --- completions, made by the built binary from its command tables --------
set(CADENCE_COMPLETIONS_DIR "${PROJECT_BINARY_DIR}/completions")
set(CADENCE_COMPLETION_FILES "")
foreach(shell_file bash:cadence.bash zsh:_cadence fish:cadence.fish)
  string(REPLACE ":" ";" pair "${shell_file}")
  list(GET pair 0 shell)
  list(GET pair 1 file)
  add_custom_command(OUTPUT "${CADENCE_COMPLETIONS_DIR}/${file}"
    COMMAND "${CMAKE_COMMAND}" -E make_directory "${CADENCE_COMPLETIONS_DIR}"
    COMMAND "${CMAKE_COMMAND}" "-DOUT=${CADENCE_COMPLETIONS_DIR}/${file}"
            -P "${CMAKE_CURRENT_LIST_DIR}/capture.cmake" -- $<TARGET_FILE:cadence> completion ${shell}
    DEPENDS cadence
    COMMENT "Generating the ${shell} completion"
    VERBATIM)
  list(APPEND CADENCE_COMPLETION_FILES "${CADENCE_COMPLETIONS_DIR}/${file}")
endforeach()
add_custom_target(cadence_completions ALL DEPENDS ${CADENCE_COMPLETION_FILES})
include("${CMAKE_CURRENT_LIST_DIR}/shell_dirs.cmake")
install(CODE "
set(CADENCE_COMPLETIONS_DIR \"${CADENCE_COMPLETIONS_DIR}\")
set(CADENCE_BASH_DIR \"${CADENCE_INSTALL_BASH_COMPLETIONDIR}\")
set(CADENCE_ZSH_DIR \"${CADENCE_INSTALL_ZSH_COMPLETIONDIR}\")
set(CADENCE_FISH_DIR \"${CADENCE_INSTALL_FISH_COMPLETIONDIR}\")
set(CADENCE_BASH_REL \"${CADENCE_BASH_REL}\")
set(CADENCE_ZSH_FPATH \"${CADENCE_ZSH_FPATH}\")
set(CADENCE_FISH_PATH \"${CADENCE_FISH_PATH}\")
include(\"${CMAKE_CURRENT_LIST_DIR}/completion_dirs.cmake\")")

# --- the man pages, from docs/PAGE.scd when scdoc is there -----------------
# cadence(1), the command line; cadence.yaml(5), the file format
find_program(SCDOC_EXECUTABLE scdoc)
if(SCDOC_EXECUTABLE)
  set(CADENCE_MAN_PAGES "")
  foreach(page cadence.1 cadence.yaml.5)
    string(REGEX REPLACE ".*\\.([0-9])$" "\\1" section "${page}")
    # @CADENCE_DOCDIR@ in the page: where the documentation is installed
    set(CADENCE_DOCDIR "${CMAKE_INSTALL_FULL_DOCDIR}")
    configure_file("${PROJECT_SOURCE_DIR}/docs/${page}.scd" "${PROJECT_BINARY_DIR}/${page}.scd" @ONLY)
    add_custom_command(OUTPUT "${PROJECT_BINARY_DIR}/${page}"
      COMMAND "${CMAKE_COMMAND}" "-DOUT=${PROJECT_BINARY_DIR}/${page}"
              "-DIN=${PROJECT_BINARY_DIR}/${page}.scd"
              -P "${CMAKE_CURRENT_LIST_DIR}/capture.cmake" -- "${SCDOC_EXECUTABLE}"
      DEPENDS "${PROJECT_BINARY_DIR}/${page}.scd"
      COMMENT "Generating the man page ${page}"
      VERBATIM)
    install(FILES "${PROJECT_BINARY_DIR}/${page}" DESTINATION "${CMAKE_INSTALL_MANDIR}/man${section}")
    list(APPEND CADENCE_MAN_PAGES "${PROJECT_BINARY_DIR}/${page}")
  endforeach()
  add_custom_target(cadence_man ALL DEPENDS ${CADENCE_MAN_PAGES})
else()
  message(STATUS "scdoc not found: the man pages cadence(1) and cadence.yaml(5) are not built")
endif()

# --- the documentation, into CMAKE_INSTALL_DOCDIR (share/doc/cadence) -------
# docs/*.md go beside README.md, flat, as distributions lay out a doc dir,
# with the JSON Schemas (file format, events) and the OpenAPI description
# the pages and the --help texts name
file(GLOB CADENCE_DOC_PAGES CONFIGURE_DEPENDS "${PROJECT_SOURCE_DIR}/docs/*.md"
     "${PROJECT_SOURCE_DIR}/docs/*.json")
install(FILES "${PROJECT_SOURCE_DIR}/README.md" "${PROJECT_SOURCE_DIR}/LICENSE"
              "${PROJECT_SOURCE_DIR}/CHANGELOG.md" ${CADENCE_DOC_PAGES}
        DESTINATION "${CMAKE_INSTALL_DOCDIR}")
# the images diagram.md and serve.md show (images/NAME beside them)
install(DIRECTORY "${PROJECT_SOURCE_DIR}/docs/images" DESTINATION "${CMAKE_INSTALL_DOCDIR}")
