# Cross-build for macOS on Intel with Zig's clang, which ships the macOS
# headers and libSystem stubs (compile and link only: nothing built
# here can run on Linux):
#   cmake -S . -B build-macos-x86_64 -G Ninja -DNI_WERROR=ON \
#     -DCMAKE_TOOLCHAIN_FILE=cmake/zig-macos-x86_64.cmake \
#     -DNI_ZIG=$(sh scripts/get-zig.sh 0.14.0-dev.2456)
#   cmake --build build-macos-x86_64
# scripts/test-cross.sh does it for every cross target.  Zig 0.14, not 0.11:
# 0.11's Mach-O linker puts hidden symbols (ni__*) and its whole compiler-rt
# in the exports trie; neither takes -exported_symbols_list.
set(CMAKE_SYSTEM_NAME Darwin)
set(CMAKE_SYSTEM_PROCESSOR x86_64)
set(NI_ZIG_TARGET x86_64-macos)
include(${CMAKE_CURRENT_LIST_DIR}/zig.cmake)
