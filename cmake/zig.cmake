# Shared by the Zig toolchain files (zig-macos-*.cmake, zig-windows-*.cmake):
# `zig cc` as the C compiler for the target NI_ZIG_TARGET, `zig ar` and
# `zig ranlib` for archives.  NI_ZIG is the zig binary: -DNI_ZIG=...,
# else the environment's NI_ZIG, else `zig` on PATH.  scripts/get-zig.sh
# installs the version each target needs and prints its path.
if(NOT NI_ZIG)
  if(DEFINED ENV{NI_ZIG})
    set(NI_ZIG "$ENV{NI_ZIG}")
  else()
    find_program(NI_ZIG zig)
  endif()
endif()
if(NOT NI_ZIG)
  message(FATAL_ERROR "zig not found: pass -DNI_ZIG=/path/to/zig (sh scripts/get-zig.sh 0.14.0-dev.2456 prints one)")
endif()
set(NI_ZIG "${NI_ZIG}" CACHE FILEPATH "the zig binary" FORCE)
# try_compile projects (CMake's checks) see the same zig.
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES NI_ZIG)
set(CMAKE_C_COMPILER "${CMAKE_CURRENT_LIST_DIR}/zig-cc.sh" "${NI_ZIG}")
set(CMAKE_C_COMPILER_TARGET ${NI_ZIG_TARGET})
set(CMAKE_AR "${NI_ZIG}" CACHE FILEPATH "" FORCE)
set(CMAKE_C_ARCHIVE_CREATE "<CMAKE_AR> ar qc <TARGET> <LINK_FLAGS> <OBJECTS>")
set(CMAKE_C_ARCHIVE_APPEND "<CMAKE_AR> ar q <TARGET> <LINK_FLAGS> <OBJECTS>")
set(CMAKE_C_ARCHIVE_FINISH "<CMAKE_AR> ranlib <TARGET>")
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
