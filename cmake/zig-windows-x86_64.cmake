# Cross-build for 64-bit Windows against the Universal C Runtime (UCRT),
# with Zig 0.14's clang: `zig cc -target x86_64-windows-gnu` links
# ucrtbase.dll through its own mingw-w64 import libraries (Debian's
# mingw-w64 builds link msvcrt.dll: cmake/mingw-w64-x86_64.cmake).  Tests
# run by Wine:
#   cmake -S . -B build-windows-ucrt -G Ninja -DNI_WERROR=ON \
#     -DCMAKE_TOOLCHAIN_FILE=cmake/zig-windows-x86_64.cmake \
#     -DNI_ZIG=$(sh scripts/get-zig.sh 0.14.0-dev.2456)
#   cmake --build build-windows-ucrt && (cd build-windows-ucrt && ctest)
# scripts/test-windows.sh ucrt does it.
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)
# win7: the oldest target (src/win/library.cmake); Zig defines _WIN32_WINNT
# from it, the same 0x0601 as the library asks for.
set(NI_ZIG_TARGET x86_64-windows.win7-gnu)
include(${CMAKE_CURRENT_LIST_DIR}/zig.cmake)
find_program(NI_WINE NAMES wine64 wine PATHS /usr/lib/wine NO_CMAKE_FIND_ROOT_PATH)
if(NI_WINE)
  set(CMAKE_CROSSCOMPILING_EMULATOR ${NI_WINE})
endif()
# CMake's Windows-GNU rules call the archiver as `<CMAKE_AR> qc ...`, which
# `zig ar` cannot be named as: LLVM's own archiver instead.
find_program(NI_LLVM_AR NAMES llvm-ar-14 llvm-ar REQUIRED)
find_program(NI_LLVM_RANLIB NAMES llvm-ranlib-14 llvm-ranlib REQUIRED)
set(CMAKE_AR "${NI_LLVM_AR}" CACHE FILEPATH "" FORCE)
set(CMAKE_RANLIB "${NI_LLVM_RANLIB}" CACHE FILEPATH "" FORCE)
unset(CMAKE_C_ARCHIVE_CREATE)
unset(CMAKE_C_ARCHIVE_APPEND)
unset(CMAKE_C_ARCHIVE_FINISH)
