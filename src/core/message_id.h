// Message ids: 64-bit, time-ordered (milliseconds in the high bits), so ids
// sort by acceptance time, a time filter is an id range, and inserts append
// to the end of the store's B-tree. Shown to users as 13 lowercase Crockford
// base32 characters.
#pragma once

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>

#include "core/clock.h"

namespace postern {

class MessageId {
 public:
  static constexpr int kSequenceBits = 20;

  constexpr MessageId() = default;
  constexpr explicit MessageId(std::uint64_t value) : value_(value) {}

  constexpr std::uint64_t value() const { return value_; }
  std::string to_string() const;
  // Accepts either case; returns nullopt for anything that is not 13 valid
  // base32 characters encoding a 63-bit value.
  static std::optional<MessageId> parse(std::string_view text);

  SystemTime timestamp() const;
  // The smallest id that can be issued at time t (for time-range queries).
  static MessageId first_at(SystemTime t);

  constexpr auto operator<=>(const MessageId&) const = default;

 private:
  std::uint64_t value_ = 0;
};

// Issues strictly increasing ids. Not thread-safe: owned by the one store
// writer that inserts messages, which keeps ids in commit order.
class MessageIdGenerator {
 public:
  MessageIdGenerator(const Clock& clock, std::uint64_t seed);
  MessageId next();

 private:
  const Clock& clock_;
  std::mt19937_64 random_;
  std::int64_t last_ms_ = 0;
  std::uint64_t sequence_ = 0;
};

}  // namespace postern
