// Runs the pocket binary as a user would, capturing stdout, stderr and the exit code.
#pragma once

#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "shared_data.h"

namespace pocket::test {

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

inline std::string quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

inline std::string pocket_binary() { return std::string(POCKET_BINARY_DIR) + "/pocket"; }

// The shell text that runs the binary: under the emulator in a cross build.
inline std::string pocket_command() {
#ifdef POCKET_EMULATOR
  return std::string(POCKET_EMULATOR) + " " + quote(pocket_binary());
#else
  return quote(pocket_binary());
#endif
}


// `args` is appended to the binary's path as shell text (quote paths with quote()).
// env: extra "NAME=value" assignments (shell text) for this run.
inline CommandResult run_pocket(const std::string& args, const std::string& stdin_text = "",
                                const std::string& env = "") {
  namespace fs = std::filesystem;
  static int counter = 0;
  const fs::path dir = fs::temp_directory_path() /
                       ("pocket_cli_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
  fs::create_directories(dir);
  const std::string in = (dir / "in").string(), out = (dir / "out").string(), err = (dir / "err").string();
  {
    std::FILE* f = std::fopen(in.c_str(), "wb");
    std::fwrite(stdin_text.data(), 1, stdin_text.size(), f);
    std::fclose(f);
  }
  const std::string cmd = "POCKET_SHARED=" + quote(shared_dir()) + " " + env + " " + pocket_command() +
                          " " + args + " <" + quote(in) + " >" + quote(out) + " 2>" + quote(err);
  const int status = std::system(cmd.c_str());
  CommandResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = read_text_file(out);
  r.err = read_text_file(err);
  fs::remove_all(dir);
  return r;
}

}  // namespace pocket::test
