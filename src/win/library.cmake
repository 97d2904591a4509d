# libnoinherit for Windows (mingw-w64), included by src/CMakeLists.txt:
# noinherit.dll with its import library, and the static libnoinherit.a.
# Windows 7 is the oldest target (PROC_THREAD_ATTRIBUTE_HANDLE_LIST,
# WSA_FLAG_NO_HANDLE_INHERIT).  Paths are relative to src/.
set(NI_WIN_SOURCES
  win/errno.c       # GetLastError/WSAGetLastError to errno, UTF-8 to UTF-16
  win/inheritable.c # ni_get/set_inheritable, ni_get/set_handle_inheritable
  win/create.c      # the file creators: open, fopen, mkstemp
  win/create_fd.c   # dup, dupfd, dup2, pipe, pipe2
  win/socket.c      # socket, accept, the Winsock start-up
  win/socketpair.c  # socketpair over loopback TCP
  win/unsupported.c # what Windows has no sense of: ENOSYS
  win/features.c    # ni_features, ni_version
  win/cmdline.c     # argv to a command line the C runtime parses back
  win/handlelist.c  # PROC_THREAD_ATTRIBUTE_HANDLE_LIST: build and check
  win/spawn.c       # ni_spawn over CreateProcessW
  spawn_opts.c      # the options every system has
  win/spawnopts.c   # the options Windows has no sense of: ENOSYS
  win/envblock.c    # envp to a UTF-16 environment block, one variable
  win/resolve.c     # file to the program to start: PATH, PATHEXT, no .bat
)
set(NI_WIN_DEFS NI_BUILDING _WIN32_WINNT=0x0601 WINVER=0x0601
  WIN32_LEAN_AND_MEAN NI_VERSION_STRING="${PROJECT_VERSION}")

add_library(noinherit_obj OBJECT ${NI_WIN_SOURCES})
target_compile_definitions(noinherit_obj PRIVATE ${NI_WIN_DEFS})
target_include_directories(noinherit_obj PUBLIC
  $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
  $<BUILD_INTERFACE:${CMAKE_CURRENT_SOURCE_DIR}/win>)

add_library(noinherit SHARED $<TARGET_OBJECTS:noinherit_obj>)
set_target_properties(noinherit PROPERTIES PREFIX "" OUTPUT_NAME noinherit)
target_link_libraries(noinherit PRIVATE ws2_32)
target_link_options(noinherit PRIVATE "LINKER:--no-undefined")

add_library(noinherit_static STATIC $<TARGET_OBJECTS:noinherit_obj>)
set_target_properties(noinherit_static PROPERTIES OUTPUT_NAME noinherit)
target_compile_definitions(noinherit_static INTERFACE NI_STATIC)
target_link_libraries(noinherit_static PUBLIC ws2_32)
