# Cross-build for FreeBSD 13 (amd64) with Debian's clang-14 and lld against
# FreeBSD 13.5's base headers and libraries (compile and link only):
#   mkdir -p /tmp/fbsd && tar -xJf ../shared/sysroots/freebsd13.5-amd64.tar.xz -C /tmp/fbsd
#   cmake -S . -B build-freebsd -G Ninja -DNI_WERROR=ON \
#     -DCMAKE_TOOLCHAIN_FILE=cmake/freebsd13-amd64.cmake \
#     -DNI_FREEBSD_SYSROOT=/tmp/fbsd/freebsd13.5-amd64
#   cmake --build build-freebsd
# scripts/test-cross.sh does it for every cross target.
set(CMAKE_SYSTEM_NAME FreeBSD)
set(CMAKE_SYSTEM_VERSION 13.5)
set(CMAKE_SYSTEM_PROCESSOR amd64)
if(NOT NI_FREEBSD_SYSROOT AND DEFINED ENV{NI_FREEBSD_SYSROOT})
  set(NI_FREEBSD_SYSROOT "$ENV{NI_FREEBSD_SYSROOT}")
endif()
if(NOT NI_FREEBSD_SYSROOT OR NOT EXISTS "${NI_FREEBSD_SYSROOT}/usr/include/sys/param.h")
  message(FATAL_ERROR "pass -DNI_FREEBSD_SYSROOT=DIR, the unpacked FreeBSD sysroot (see this file's header)")
endif()
set(NI_FREEBSD_SYSROOT "${NI_FREEBSD_SYSROOT}" CACHE PATH "the FreeBSD sysroot" FORCE)
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES NI_FREEBSD_SYSROOT)
set(CMAKE_SYSROOT "${NI_FREEBSD_SYSROOT}")
set(CMAKE_C_COMPILER clang-14)
set(CMAKE_C_COMPILER_TARGET x86_64-unknown-freebsd13.5)
set(CMAKE_CXX_COMPILER clang++-14)
set(CMAKE_CXX_COMPILER_TARGET x86_64-unknown-freebsd13.5)
set(CMAKE_CXX_FLAGS_INIT -stdlib=libc++)	# FreeBSD's C++ library
set(CMAKE_AR llvm-ar-14 CACHE FILEPATH "")
set(CMAKE_RANLIB llvm-ranlib-14 CACHE FILEPATH "")
set(CMAKE_EXE_LINKER_FLAGS_INIT -fuse-ld=lld)
set(CMAKE_SHARED_LINKER_FLAGS_INIT -fuse-ld=lld)
set(CMAKE_MODULE_LINKER_FLAGS_INIT -fuse-ld=lld)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
