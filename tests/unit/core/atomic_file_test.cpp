#include "core/atomic_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <iterator>

#include "support/temp_dir.h"

namespace postern {
namespace {

namespace fs = std::filesystem;

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

mode_t mode_of(const fs::path& p) {
  struct stat st {};
  EXPECT_EQ(::stat(p.c_str(), &st), 0);
  return st.st_mode & 0777;
}

TEST(AtomicFile, WritesWithTheModeAskedAndLeavesNoTemporary) {
  test::TempDir dir;
  auto path = dir.path() / "secret.key";
  ASSERT_TRUE(write_file_atomically(path, "first", 0600));
  EXPECT_EQ(read(path), "first");
  EXPECT_EQ(mode_of(path), 0600u);
  // The umask does not narrow a mode wider than it allows.
  auto old_mask = ::umask(077);
  ASSERT_TRUE(write_file_atomically(path, "second, longer", 0644));
  ::umask(old_mask);
  EXPECT_EQ(read(path), "second, longer");
  EXPECT_EQ(mode_of(path), 0644u);
  int files = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir.path())) ++files;
  EXPECT_EQ(files, 1);
}

TEST(AtomicFile, AMissingFolderIsAnErrorAndWritesNothing) {
  test::TempDir dir;
  auto r = write_file_atomically(dir.path() / "absent" / "file", "x", 0600);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), std::errc::no_such_file_or_directory);
  EXPECT_TRUE(fs::is_empty(dir.path()));
}

}  // namespace
}  // namespace postern
