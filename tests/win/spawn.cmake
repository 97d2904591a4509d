# ni_spawn for Windows (src/win/spawn.c and its helpers): what a child
# receives, the errors, the command line, the handle list, and two threads
# spawning at once.
ni_win_test(spawn test_win_spawn.c)
ni_win_test(spawn_errors test_win_spawn_errors.c)
ni_win_test(spawn_env test_win_spawn_env.c)
ni_win_test(quote test_win_quote.c)
ni_win_test(handlelist test_win_handlelist.c)
ni_win_test(threads test_win_threads.c)
