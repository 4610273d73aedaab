# Finds the Debian-packaged dependencies and exposes each as an imported
# target, so the rest of the build links names, not paths.

find_package(Threads REQUIRED)
find_package(OpenSSL REQUIRED)
find_package(PkgConfig REQUIRED)

# CAF 0.17 ships neither a CMake config nor a .pc file.
find_path(CAF_INCLUDE_DIR caf/all.hpp REQUIRED)
foreach(part core io openssl)
  find_library(CAF_${part}_LIBRARY caf_${part} REQUIRED)
  add_library(caf::${part} UNKNOWN IMPORTED)
  set_target_properties(caf::${part} PROPERTIES
    IMPORTED_LOCATION ${CAF_${part}_LIBRARY}
    INTERFACE_INCLUDE_DIRECTORIES ${CAF_INCLUDE_DIR})
endforeach()
set_property(TARGET caf::core PROPERTY INTERFACE_LINK_LIBRARIES Threads::Threads)
set_property(TARGET caf::io PROPERTY INTERFACE_LINK_LIBRARIES caf::core)
set_property(TARGET caf::openssl PROPERTY INTERFACE_LINK_LIBRARIES
  caf::io OpenSSL::SSL OpenSSL::Crypto)

# RapidJSON sets only an include directory.
find_package(RapidJSON REQUIRED)
add_library(rapidjson INTERFACE IMPORTED)
set_target_properties(rapidjson PROPERTIES
  INTERFACE_INCLUDE_DIRECTORIES "${RAPIDJSON_INCLUDE_DIRS}"
  INTERFACE_COMPILE_DEFINITIONS "RAPIDJSON_HAS_STDSTRING=1")

pkg_check_modules(PQXX REQUIRED IMPORTED_TARGET libpqxx)

find_package(Boost REQUIRED)

find_package(GTest REQUIRED)
include(GoogleTest)
