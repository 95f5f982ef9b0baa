// GoogleTest environment for the tests that use src/mime (mime_test,
// imap_structure_test, inbox_test): GMime is initialised once for the
// whole binary, as postern's main does for the daemon.
#include <gtest/gtest.h>

#include "mime/mime.h"

namespace {

class MimeEnvironment : public ::testing::Environment {
 public:
  void SetUp() override { postern::mime::init(); }
  void TearDown() override { postern::mime::shutdown(); }
};

// Registered before gtest_main's main() runs; GoogleTest owns the object.
[[maybe_unused]] ::testing::Environment* const kEnvironment =
    ::testing::AddGlobalTestEnvironment(new MimeEnvironment);

}  // namespace
