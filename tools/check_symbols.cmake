# check_symbols.cmake - every global name the noinherit command defines
# carries its part's prefix, so that no two parts (or a library linked
# later) can clash on a bare `grow` or `report_text`.
#
#   cmake -DNM=<nm> -P check_symbols.cmake <object or archive>...
#
# Allowed: audit_ trace_ exec_ cli_ shim_ pi_ (the /proc parsers), sd_
# (sockdiag.c, the kernel's socket facts), jv_ and
# jarena_ (the log's JSON parser), fdnames_ (preload/fdnames.c, shared
# with the shim), cmd_ (the subcommands) and main.  Names
# beginning with "__" are the compiler's (sanitizer instrumentation).
if(NOT NM)
  message(FATAL_ERROR "check_symbols.cmake: NM is required")
endif()
set(files "")
math(EXPR last "${CMAKE_ARGC} - 1")
set(take OFF)
foreach(i RANGE 0 ${last})
  if(take)
    list(APPEND files "${CMAKE_ARGV${i}}")
  elseif(CMAKE_ARGV${i} MATCHES "check_symbols[.]cmake$")
    set(take ON)
  endif()
endforeach()
if(NOT files)
  message(FATAL_ERROR "check_symbols.cmake: no object files given")
endif()

execute_process(COMMAND ${NM} -g --defined-only ${files}
  RESULT_VARIABLE status OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "${NM} failed (${status}): ${err}")
endif()

set(allowed "^(audit_|trace_|exec_|cli_|shim_|pi_|sd_|jv_|jarena_|fdnames_|cmd_|__)|^main$")
string(REPLACE "\n" ";" lines "${out}")
set(bad "")
set(count 0)
foreach(line IN LISTS lines)
  # "0000000000000010 T audit_grow"; file headers end in ':'
  if(line MATCHES "^[0-9a-fA-F]* *[A-Za-z] ([^ ]+)$")
    set(name "${CMAKE_MATCH_1}")
    math(EXPR count "${count} + 1")
    if(NOT name MATCHES "${allowed}")
      list(APPEND bad "${name}")
    endif()
  endif()
endforeach()
if(count EQUAL 0)
  message(FATAL_ERROR "no defined global symbol found in ${files}:\n${out}")
endif()
if(bad)
  list(REMOVE_DUPLICATES bad)
  string(REPLACE ";" "\n  " bad "${bad}")
  message(FATAL_ERROR "global names without a part's prefix:\n  ${bad}")
endif()
message(STATUS "ok: ${count} global names, all prefixed")
