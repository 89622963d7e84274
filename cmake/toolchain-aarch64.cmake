# Cross build for ARM64 with Debian's g++-aarch64-linux-gnu; tests run under qemu-aarch64.
# Libraries come from arm64 packages unpacked by scripts/setup-arm64-deps.sh into
# POCKET_ARM64_DEPS (default build/arm64-deps); header-only ones (nlohmann-json, CLI11) are the
# host's.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
set(CMAKE_FIND_ROOT_PATH /usr/aarch64-linux-gnu)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64;-cpu;max;-L;/usr/aarch64-linux-gnu)
# GCC fuses a*b+c into FMA on ARM64 by default; x86 builds don't, and tests compare exactly.
set(CMAKE_CXX_FLAGS_INIT "-ffp-contract=off")

if(NOT DEFINED POCKET_ARM64_DEPS)
  get_filename_component(POCKET_ARM64_DEPS "${CMAKE_CURRENT_LIST_DIR}/../build/arm64-deps" ABSOLUTE)
endif()
set(POCKET_ARM64_DEPS "${POCKET_ARM64_DEPS}" CACHE PATH "Unpacked arm64 library packages")
set(_pocket_arm64_lib "${POCKET_ARM64_DEPS}/usr/lib/aarch64-linux-gnu")
set(nlohmann_json_DIR /usr/share/cmake/nlohmann_json CACHE PATH "")
set(CLI11_DIR /usr/share/cmake/CLI11 CACHE PATH "")
set(GTest_DIR "${_pocket_arm64_lib}/cmake/GTest" CACHE PATH "")
set(ENV{PKG_CONFIG_LIBDIR} "${_pocket_arm64_lib}/pkgconfig")
set(ENV{PKG_CONFIG_SYSROOT_DIR} "${POCKET_ARM64_DEPS}")
set(CMAKE_EXE_LINKER_FLAGS_INIT "-L${_pocket_arm64_lib} -Wl,-rpath,${_pocket_arm64_lib}")
set(CMAKE_SHARED_LINKER_FLAGS_INIT "-L${_pocket_arm64_lib} -Wl,-rpath,${_pocket_arm64_lib}")
