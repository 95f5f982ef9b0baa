#include "core/message_id.h"

#include <algorithm>
#include <array>

namespace postern {
namespace {

constexpr std::string_view kAlphabet = "0123456789abcdefghjkmnpqrstvwxyz";
constexpr int kChars = 13;

int decode_char(char c) {
  if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  // Crockford: i, l -> 1; o -> 0.
  if (c == 'i' || c == 'l') return 1;
  if (c == 'o') return 0;
  auto pos = kAlphabet.find(c);
  return pos == std::string_view::npos ? -1 : static_cast<int>(pos);
}

}  // namespace

std::string MessageId::to_string() const {
  std::string out(kChars, '0');
  std::uint64_t v = value_;
  for (int i = kChars - 1; i >= 0; --i) {
    out[i] = kAlphabet[v & 31];
    v >>= 5;
  }
  return out;
}

std::optional<MessageId> MessageId::parse(std::string_view text) {
  if (text.size() != kChars) return std::nullopt;
  // 13 chars carry 65 bits; the first may only hold the top 4 of 64 and the
  // sign bit stays clear, so it must be 0-7.
  std::uint64_t v = 0;
  for (int i = 0; i < kChars; ++i) {
    int d = decode_char(text[i]);
    if (d < 0 || (i == 0 && d > 7)) return std::nullopt;
    v = (v << 5) | static_cast<std::uint64_t>(d);
  }
  return MessageId(v);
}

SystemTime MessageId::timestamp() const {
  return from_unix_ms(static_cast<std::int64_t>(value_ >> kSequenceBits));
}

MessageId MessageId::first_at(SystemTime t) {
  // 43 bits of milliseconds reach the year 2248; later times clamp to the
  // largest id rather than overflow.
  constexpr std::int64_t kMaxMs = (std::int64_t{1} << (63 - kSequenceBits)) - 1;
  auto ms = std::clamp<std::int64_t>(to_unix_ms(t), 0, kMaxMs);
  return MessageId(static_cast<std::uint64_t>(ms) << kSequenceBits);
}

MessageIdGenerator::MessageIdGenerator(const Clock& clock, std::uint64_t seed)
    : clock_(clock), random_(seed) {}

MessageId MessageIdGenerator::next() {
  constexpr std::uint64_t kMaxSequence = (1ULL << MessageId::kSequenceBits) - 1;
  auto now_ms = to_unix_ms(clock_.now());
  if (now_ms > last_ms_) {
    last_ms_ = now_ms;
    // Start each millisecond at a random point in the lower half, so two
    // nodes sharing one database rarely pick the same id.
    sequence_ = random_() & (kMaxSequence >> 1);
  } else if (++sequence_ > kMaxSequence) {
    ++last_ms_;  // borrow from the next millisecond; keeps ids increasing
    sequence_ = 0;
  }
  return MessageId((static_cast<std::uint64_t>(last_ms_) << MessageId::kSequenceBits) | sequence_);
}

}  // namespace postern
