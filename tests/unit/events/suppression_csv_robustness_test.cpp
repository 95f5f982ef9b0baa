// Randomized robustness of the suppression list's CSV import: mutations
// of valid and broken files, fed in random chunks, must keep the
// invariants of suppression_csv_check.h (the fuzz target's own).
#include <gtest/gtest.h>

#include <random>

#include "support/mutator.h"
#include "suppression_csv_check.h"

namespace postern::events {
namespace {

TEST(SuppressionCsvRobustness, MutatedFilesKeepTheInvariants) {
  const std::vector<std::string> seeds = {
      "address,reason,provider,message_id,detail,created_at\r\n"
      "ann@example.org,bounced,mg-us,0mb3xq7h2k4rs,\"550, gone\",2026-01-02T03:04:05Z\r\n",
      "address\nbob@example.org\n\"quoted local\"@Example.ORG\n",
      "reason,address,detail\nmanual,c@x.org,\"two\r\nlines \"\"quoted\"\"\"\n",
      "address,reason\nd@x.org,complained\ne@x.org,inactive\n",
  };
  std::mt19937 rng(20261207);
  test::Mutator mutator(rng, "address,reason\"\r\n@.xyz0123456789-_ \t", seeds);
  for (int i = 0; i < 3000; ++i) {
    auto input = mutator.mutate(seeds[rng() % seeds.size()]);
    std::size_t chunk = 1 + rng() % 40;
    test::check_suppression_csv(input, chunk, [&](bool ok, const char* what) {
      ASSERT_TRUE(ok) << what << " for input:\n" << input;
    });
    if (HasFatalFailure()) return;
  }
}

}  // namespace
}  // namespace postern::events
