# pocket_fuzz_entries: what each fuzz target does with one input (fuzz/entries/). Included by
# fuzz/CMakeLists.txt (libFuzzer binaries) and by the regular build, where test_model replays the
# corpora and the crash regressions through the same code.
if(NOT TARGET pocket_fuzz_entries)
  file(GLOB pocket_fuzz_entry_srcs CONFIGURE_DEPENDS "${CMAKE_CURRENT_LIST_DIR}/entries/*.cpp")
  add_library(pocket_fuzz_entries STATIC ${pocket_fuzz_entry_srcs})
  target_include_directories(pocket_fuzz_entries PUBLIC "${CMAKE_CURRENT_LIST_DIR}")
  target_link_libraries(pocket_fuzz_entries PUBLIC pocket_model pocket_tokenizer
                        PRIVATE pocket_warnings)
  target_compile_definitions(pocket_fuzz_entries PRIVATE
    POCKET_FUZZ_SHARED_DIR="${POCKET_SHARED_DIR}")
endif()
