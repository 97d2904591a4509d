# Cross-build for 64-bit Windows with Debian's clang and lld over
# mingw-w64's headers and libraries (msvcrt.dll), tests run by Wine:
#   cmake -S . -B build-windows-clang -G Ninja -DNI_WERROR=ON \
#     -DCMAKE_TOOLCHAIN_FILE=cmake/clang-mingw-w64-x86_64.cmake
# scripts/test-windows.sh clang does it.
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)
set(CMAKE_C_COMPILER clang)
set(CMAKE_C_COMPILER_TARGET x86_64-w64-mingw32)
set(CMAKE_CXX_COMPILER clang++)
set(CMAKE_CXX_COMPILER_TARGET x86_64-w64-mingw32)
set(CMAKE_RC_COMPILER x86_64-w64-mingw32-windres)
# Debian's clang does not find mingw-w64's libgcc in its "12-win32"
# directory (the thread model is in the name): named here.
file(GLOB _ni_libgcc LIST_DIRECTORIES true /usr/lib/gcc/x86_64-w64-mingw32/*-win32)
list(GET _ni_libgcc 0 _ni_libgcc)
set(CMAKE_EXE_LINKER_FLAGS_INIT "-fuse-ld=lld -L${_ni_libgcc}")
set(CMAKE_SHARED_LINKER_FLAGS_INIT "-fuse-ld=lld -L${_ni_libgcc}")
set(CMAKE_MODULE_LINKER_FLAGS_INIT "-fuse-ld=lld -L${_ni_libgcc}")
set(CMAKE_FIND_ROOT_PATH /usr/x86_64-w64-mingw32)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
find_program(NI_WINE NAMES wine64 wine PATHS /usr/lib/wine NO_CMAKE_FIND_ROOT_PATH)
if(NI_WINE)
  set(CMAKE_CROSSCOMPILING_EMULATOR ${NI_WINE})
endif()
