// What must hold for any input of the suppression list's CSV reader,
// whatever its bytes: shared by the libFuzzer target
// (tests/fuzz/suppression_csv_fuzz.cpp) and the randomized unit test.
// `check` is the caller's assertion (FUZZ_CHECK, or a gtest one).
//  - the answer (the entries before an error too) does not depend on
//    how the input is cut into chunks;
//  - every entry read is one check_suppression accepts;
//  - what is accepted, written back (suppression_csv_line) and read
//    again gives the same entries.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "events/suppression_csv.h"
#include "events/suppression_entry.h"

namespace postern::test {

struct CsvReadResult {
  bool ok = false;
  std::string error;
  std::vector<store::Suppression> entries;
};

// Reads `input` fed in chunks of `chunk` bytes (0: at once).
inline CsvReadResult read_suppression_csv(std::string_view input, std::size_t chunk,
                                          SystemTime now) {
  events::SuppressionCsvReader reader(now);
  CsvReadResult out;
  auto take = [&](Result<void, FieldError> r) {
    for (auto& e : reader.entries()) out.entries.push_back(std::move(e));
    reader.entries().clear();
    if (!r) {
      out.error = r.error().field + ": " + r.error().message;
      return false;
    }
    return true;
  };
  if (chunk == 0) chunk = input.size() + 1;
  for (std::size_t at = 0; at < input.size(); at += chunk) {
    if (!take(reader.feed(input.substr(at, chunk)))) return out;
  }
  out.ok = take(reader.finish());
  return out;
}

inline bool same_entry(const store::Suppression& a, const store::Suppression& b) {
  return a.address == b.address && a.reason == b.reason && a.provider == b.provider &&
         a.message == b.message && a.detail == b.detail &&
         std::chrono::floor<std::chrono::milliseconds>(a.created_at) ==
             std::chrono::floor<std::chrono::milliseconds>(b.created_at);
}

template <class Check>
void check_suppression_csv(std::string_view input, std::size_t chunk, Check check) {
  const auto now = SystemTime(std::chrono::seconds(1'700'000'000));
  auto whole = read_suppression_csv(input, 0, now);
  auto pieces = read_suppression_csv(input, chunk, now);
  check(whole.ok == pieces.ok, "chunked and whole reads agree on success");
  check(whole.error == pieces.error, "chunked and whole reads give the same error");
  check(whole.entries.size() == pieces.entries.size(), "chunked and whole reads agree");
  if (!whole.ok) {
    check(!whole.error.empty(), "a refusal says why");
    return;
  }
  std::string written = events::suppression_csv_header();
  for (auto e : whole.entries) {
    check(static_cast<bool>(events::check_suppression(e)), "an accepted entry is valid");
    written += events::suppression_csv_line(e);
  }
  auto again = read_suppression_csv(written, 0, now);
  check(again.ok, "what was written reads back");
  check(again.entries.size() == whole.entries.size(), "the same number reads back");
  for (std::size_t i = 0; i < again.entries.size() && i < whole.entries.size(); ++i)
    check(same_entry(again.entries[i], whole.entries[i]), "each entry reads back the same");
}

}  // namespace postern::test
