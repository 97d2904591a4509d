# noinherit.exe audit (tools/win): run by the test against real children.
if(TARGET noinherit_cli)
  ni_win_test(audit test_win_audit.c)
  file(RELATIVE_PATH _ni_tool_rel ${CMAKE_CURRENT_BINARY_DIR}
    ${PROJECT_BINARY_DIR}/tools/win/noinherit.exe)
  string(REPLACE "/" "\\\\" _ni_tool_rel "${_ni_tool_rel}")
  target_compile_definitions(test_win_audit PRIVATE NI_TOOL_REL=L"${_ni_tool_rel}")
  add_dependencies(test_win_audit noinherit_cli)
endif()
