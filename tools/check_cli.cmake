# check_cli.cmake - run one command and check its exit status and output.
#
#   cmake -DCMD=<program> [-DARGS=a;b] -DSTATUS=<n>
#         [-DSTDOUT_MATCH=<regex>] [-DSTDERR_MATCH=<regex>]
#         [-DSTDOUT_EMPTY=1] [-DSTDERR_EMPTY=1] [-DSTDOUT_FILE=<file>]
#         -P check_cli.cmake
#
# STDOUT_FILE sends the standard output to a file instead (/dev/full: a
# write error); the STDOUT_ checks then see nothing.
#
# add_test(WILL_FAIL) and PASS_REGULAR_EXPRESSION cannot say "exactly
# status 2" or "this regex and status 0"; this script can.
if(NOT DEFINED CMD OR NOT DEFINED STATUS)
  message(FATAL_ERROR "check_cli.cmake: CMD and STATUS are required")
endif()

if(DEFINED STDOUT_FILE)
  execute_process(COMMAND ${CMD} ${ARGS}
    RESULT_VARIABLE status
    OUTPUT_FILE ${STDOUT_FILE}
    ERROR_VARIABLE err)
  set(out "")
else()
  execute_process(COMMAND ${CMD} ${ARGS}
    RESULT_VARIABLE status
    OUTPUT_VARIABLE out
    ERROR_VARIABLE err)
endif()

set(failed "")
if(NOT status STREQUAL STATUS)
  string(APPEND failed "exit status '${status}', expected ${STATUS}\n")
endif()
if(DEFINED STDOUT_MATCH AND NOT out MATCHES "${STDOUT_MATCH}")
  string(APPEND failed "stdout does not match '${STDOUT_MATCH}'\n")
endif()
if(DEFINED STDERR_MATCH AND NOT err MATCHES "${STDERR_MATCH}")
  string(APPEND failed "stderr does not match '${STDERR_MATCH}'\n")
endif()
if(STDOUT_EMPTY AND NOT out STREQUAL "")
  string(APPEND failed "stdout is not empty\n")
endif()
if(STDERR_EMPTY AND NOT err STREQUAL "")
  string(APPEND failed "stderr is not empty\n")
endif()

if(failed)
  message(FATAL_ERROR "${CMD} ${ARGS}\n${failed}"
    "--- stdout ---\n${out}--- stderr ---\n${err}")
endif()
message(STATUS "ok: ${CMD} ${ARGS} -> ${status}")
