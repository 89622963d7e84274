# Warnings for our own targets only (not for third-party headers).
add_library(pocket_warnings INTERFACE)
target_compile_options(pocket_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wcast-align
  -Wunused -Woverloaded-virtual -Wimplicit-fallthrough
  $<$<BOOL:${POCKET_WERROR}>:-Werror>)
