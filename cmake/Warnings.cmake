# Warnings for illhub's own code, through an INTERFACE target so generated code is not affected.
add_library(illhub_warnings INTERFACE)
target_compile_options(illhub_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion -Wno-sign-conversion)
if(ILLHUB_WERROR)
  target_compile_options(illhub_warnings INTERFACE -Werror)
endif()
