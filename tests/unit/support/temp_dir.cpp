#include "support/temp_dir.h"

#include <cstdlib>
#include <stdexcept>

namespace postern::test {

TempDir::TempDir() {
  auto tmpl = (std::filesystem::temp_directory_path() / "postern-test-XXXXXX").string();
  if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

}  // namespace postern::test
