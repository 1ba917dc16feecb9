# security_parse_tests: what the ledger takes from outside and how it starts: instants outside
# years 0001-9999, JSON objects with a key twice, weak admin keys, data directory permissions.
# Real ledgerd processes on 127.0.0.1 for the last two.
add_executable(security_parse_tests
  ${CMAKE_CURRENT_LIST_DIR}/admin_key_strength_test.cc
  ${CMAKE_CURRENT_LIST_DIR}/data_dir_permissions_test.cc
  ${CMAKE_CURRENT_LIST_DIR}/duplicate_json_keys_test.cc
  ${CMAKE_CURRENT_LIST_DIR}/instant_range_test.cc)
target_link_libraries(security_parse_tests PRIVATE ledger_api_test_support ledger_tools
  GTest::gtest_main)
target_compile_definitions(security_parse_tests PRIVATE LEDGERD_PATH="$<TARGET_FILE:ledgerd>"
  LEDGERCTL_PATH="$<TARGET_FILE:ledgerctl>")
add_dependencies(security_parse_tests ledgerd ledgerctl)
gtest_discover_tests(security_parse_tests DISCOVERY_TIMEOUT 60)
