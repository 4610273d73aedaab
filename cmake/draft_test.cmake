# draft_add_test(<name> KIND <unit|postgres|broker|e2e|netns> SOURCES ... LIBS ...)
#
# Adds a GoogleTest executable and registers its tests with ctest, labelled by
# kind so the fast unit set runs alone: `ctest -L unit`. Tests of any kind but
# `unit` need servers that ./dev test starts; they fail (never skip) when run
# without them.
function(draft_add_test name)
  # SERIAL: the test starts a cluster of processes; run it alone.
  cmake_parse_arguments(arg "SERIAL" "KIND" "SOURCES;LIBS" ${ARGN})
  if(NOT arg_KIND MATCHES "^(unit|postgres|broker|e2e|netns)$")
    message(FATAL_ERROR "draft_add_test(${name}): KIND must be unit, postgres, broker, e2e or netns")
  endif()
  add_executable(${name} ${arg_SOURCES})
  target_link_libraries(${name} PRIVATE ${arg_LIBS} GTest::gtest GTest::gtest_main)
  set(serial FALSE)
  if(arg_SERIAL)
    set(serial TRUE)
  endif()
  gtest_discover_tests(${name}
    PROPERTIES LABELS ${arg_KIND} RUN_SERIAL ${serial}
    DISCOVERY_TIMEOUT 30)
endfunction()
