# Cross-build for 32-bit Windows (i686) with Debian's mingw-w64 (msvcrt.dll):
#   cmake -S . -B build-win -G Ninja \
#     -DCMAKE_TOOLCHAIN_FILE=cmake/mingw-w64-i686.cmake
#   cmake --build build-win && (cd build-win && ctest)
# scripts/test-windows.sh i686 does it, packages included.
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR i686)
set(_ni_mingw i686-w64-mingw32)
set(CMAKE_C_COMPILER ${_ni_mingw}-gcc)
set(CMAKE_CXX_COMPILER ${_ni_mingw}-g++)
set(CMAKE_RC_COMPILER ${_ni_mingw}-windres)
set(CMAKE_FIND_ROOT_PATH /usr/${_ni_mingw})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
# CTest runs each .exe through a 32-bit Wine (Debian: dpkg --add-architecture
# i386 and the wine32 package) when -DNI_WINE32=PATH names one; without
# it the tests are built, not registered, and win.exports still runs.
if(NI_WINE32)
  set(CMAKE_CROSSCOMPILING_EMULATOR ${NI_WINE32})
endif()
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES NI_WINE32)
