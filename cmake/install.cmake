# SPDX-License-Identifier: MIT
# `cmake --install`: the binary (cli/), the static library, its headers, a
# pkg-config file, a CMake package (find_package(cadence) ->
# cadence::cadence), shell completions and the man page.  Every directory
# is a cache variable; the defaults follow GNUInstallDirs.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(CADENCE_INSTALL_CMAKEDIR "${CMAKE_INSTALL_LIBDIR}/cmake/cadence" CACHE STRING
    "Where the CMake package of cadence goes")
set(CADENCE_INSTALL_PKGCONFIGDIR "${CMAKE_INSTALL_LIBDIR}/pkgconfig" CACHE STRING
    "Where cadence.pc goes")
set(CADENCE_INSTALL_BASH_COMPLETIONDIR "${CMAKE_INSTALL_DATADIR}/bash-completion/completions"
    CACHE STRING "Where the bash completion goes")
# Debian's zsh reads vendor-completions; other systems use site-functions
set(CADENCE_INSTALL_ZSH_COMPLETIONDIR "${CMAKE_INSTALL_DATADIR}/zsh/vendor-completions"
    CACHE STRING "Where the zsh completion goes")
set(CADENCE_INSTALL_FISH_COMPLETIONDIR "${CMAKE_INSTALL_DATADIR}/fish/vendor_completions.d"
    CACHE STRING "Where the fish completion goes")

# --- the library, its headers, the CMake package -------------------------
set_target_properties(cadence_lib PROPERTIES EXPORT_NAME cadence)
install(TARGETS cadence_lib EXPORT cadenceTargets
        ARCHIVE DESTINATION "${CMAKE_INSTALL_LIBDIR}")
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
install(FILES "${CADENCE_COMPLETIONS_DIR}/cadence.bash"
        DESTINATION "${CADENCE_INSTALL_BASH_COMPLETIONDIR}" RENAME cadence)
install(FILES "${CADENCE_COMPLETIONS_DIR}/_cadence" DESTINATION "${CADENCE_INSTALL_ZSH_COMPLETIONDIR}")
install(FILES "${CADENCE_COMPLETIONS_DIR}/cadence.fish" DESTINATION "${CADENCE_INSTALL_FISH_COMPLETIONDIR}")

# --- the man page, from docs/cadence.1.scd when scdoc is there -------------
find_program(SCDOC_EXECUTABLE scdoc)
if(SCDOC_EXECUTABLE)
  add_custom_command(OUTPUT "${PROJECT_BINARY_DIR}/cadence.1"
    COMMAND "${CMAKE_COMMAND}" "-DOUT=${PROJECT_BINARY_DIR}/cadence.1"
            "-DIN=${PROJECT_SOURCE_DIR}/docs/cadence.1.scd"
            -P "${CMAKE_CURRENT_LIST_DIR}/capture.cmake" -- "${SCDOC_EXECUTABLE}"
    DEPENDS "${PROJECT_SOURCE_DIR}/docs/cadence.1.scd"
    COMMENT "Generating the man page cadence(1)"
    VERBATIM)
  add_custom_target(cadence_man ALL DEPENDS "${PROJECT_BINARY_DIR}/cadence.1")
  install(FILES "${PROJECT_BINARY_DIR}/cadence.1" DESTINATION "${CMAKE_INSTALL_MANDIR}/man1")
else()
  message(STATUS "scdoc not found: the man page cadence(1) is not built")
endif()
