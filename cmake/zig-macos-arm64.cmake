# Cross-build for macOS on Apple silicon with Zig 0.11's clang, which ships the
# macOS headers and libSystem stubs (compile and link only: nothing built
# here can run on Linux):
#   cmake -S . -B build-macos-arm64 -G Ninja -DNI_WERROR=ON \
#     -DCMAKE_TOOLCHAIN_FILE=cmake/zig-macos-arm64.cmake \
#     -DNI_ZIG=$(sh scripts/get-zig.sh 0.11.0)
#   cmake --build build-macos-arm64
# scripts/test-cross.sh does it for every cross target.
set(CMAKE_SYSTEM_NAME Darwin)
set(CMAKE_SYSTEM_PROCESSOR arm64)
set(NI_ZIG_TARGET aarch64-macos)
include(${CMAKE_CURRENT_LIST_DIR}/zig.cmake)
