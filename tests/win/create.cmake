# The Windows creators and the flag (src/win/inheritable.c, create*.c,
# socket*.c, unsupported.c, features.c).  Each test checks every handle it
# makes from inside (HANDLE_FLAG_INHERIT) and from outside: child.exe,
# started with bInheritHandles TRUE, must not hold it (and does once it is
# made inheritable, the control); and through ni_spawn once that exists.
ni_win_test(inheritable test_win_inheritable.c)
ni_win_test(create_file test_win_create_file.c)
ni_win_test(create_fd test_win_create_fd.c)
ni_win_test(create_socket test_win_create_socket.c)
ni_win_test(create_misc test_win_create_misc.c)
target_compile_definitions(test_win_create_misc PRIVATE
  NI_VERSION_STRING_TEST="${PROJECT_VERSION}")
