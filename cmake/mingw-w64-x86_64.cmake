# Cross-build for 64-bit Windows with Debian's mingw-w64, tests run by Wine:
#   cmake -S . -B build-win -G Ninja \
#     -DCMAKE_TOOLCHAIN_FILE=cmake/mingw-w64-x86_64.cmake
#   cmake --build build-win && (cd build-win && ctest)
# scripts/test-windows.sh does all of it, packages included.
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)
set(_ni_mingw x86_64-w64-mingw32)
set(CMAKE_C_COMPILER ${_ni_mingw}-gcc)
set(CMAKE_CXX_COMPILER ${_ni_mingw}-g++)
set(CMAKE_RC_COMPILER ${_ni_mingw}-windres)
set(CMAKE_FIND_ROOT_PATH /usr/${_ni_mingw})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
# CTest runs each .exe through this (tests/win sets WINEPREFIX per build).
find_program(NI_WINE NAMES wine64 wine PATHS /usr/lib/wine NO_CMAKE_FIND_ROOT_PATH)
if(NI_WINE)
  set(CMAKE_CROSSCOMPILING_EMULATOR ${NI_WINE})
endif()
