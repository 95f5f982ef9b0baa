// libFuzzer target: the suppression list's CSV import
// (events/suppression_csv.h, libcsv underneath), outside input from an
// operator's file or a POST. The invariants are the unit tests' own
// (tests/unit/events/suppression_csv_check.h): chunking does not change
// the answer, accepted entries are valid, and they read back as written.
// The first byte picks the chunk size.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "events/suppression_csv_check.h"
#include "fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  std::size_t chunk = 1 + data[0] % 64;
  std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  postern::test::check_suppression_csv(input, chunk, [](bool ok, const char* what) {
    if (!ok) postern::fuzz::invariant_broken(what, __FILE__, __LINE__);
  });
  return 0;
}
