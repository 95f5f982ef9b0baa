// How the group committer reports a database it cannot begin transactions
// on (PostgreSQL down or out of reach): every batch fails while that lasts,
// so a line each would flood the log. The first failure is logged, then at
// most one line a period with how many failed since the last, and one line
// once a batch commits again (docs/operations.md "When PostgreSQL goes
// away").
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

#include "core/clock.h"
#include "core/error.h"

namespace postern::store {

inline constexpr std::chrono::milliseconds kOutageLogPeriod{std::chrono::seconds(10)};

// The writer thread's alone: not thread-safe.
class WriteOutageLog {
 public:
  explicit WriteOutageLog(const Clock& clock, std::chrono::milliseconds period = kOutageLogPeriod)
      : clock_(clock), period_(period) {}

  // A batch could not begin its transaction, for `why`.
  void failed(const error_code& why);
  // A batch committed: ends an outage, if one was under way.
  void committed();

 private:
  const Clock& clock_;
  const std::chrono::milliseconds period_;
  std::uint64_t failed_ = 0;    // batches failed in this outage
  std::uint64_t unlogged_ = 0;  // of which failed since the last line
  std::optional<SteadyTime> logged_at_;
};

}  // namespace postern::store
