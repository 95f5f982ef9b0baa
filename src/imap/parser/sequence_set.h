// IMAP sequence sets (RFC 3501 §9 sequence-set): "1:3,7,9:*". A set is kept
// as the client wrote it, with '*' unresolved, because '*' means the
// largest number in use when the command runs (the mailbox size for
// message sequence numbers, the highest UID for UID sets), which only the
// session knows.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

namespace postern::imap {

// A seq-number: 1..2^32-1, or kStar for '*'.
inline constexpr std::uint32_t kStar = 0;

struct SeqRange {
  std::uint32_t first = 1;  // a single number has first == last
  std::uint32_t last = 1;
  friend bool operator==(const SeqRange&, const SeqRange&) = default;
};

struct SequenceSet {
  std::vector<SeqRange> ranges;  // as given: "3:1" stays {3, 1}

  // The set with '*' read as `largest` (0 for an empty mailbox), each range
  // in order ("3:1" is 1..3), sorted, overlaps merged. Ranges that lie wholly
  // above `largest` stay in; a caller that wants only existing numbers
  // clips at `largest`.
  std::vector<std::pair<std::uint32_t, std::uint32_t>> resolve(std::uint32_t largest) const;

  // True when `n` is in the set, with '*' read as `largest`.
  bool contains(std::uint32_t n, std::uint32_t largest) const;

  friend bool operator==(const SequenceSet&, const SequenceSet&) = default;
};

// Parses a sequence-set: nz-numbers or '*', ranges "a:b", joined by ','.
// nullopt for anything else (0, a number past 2^32-1, an empty element).
std::optional<SequenceSet> parse_sequence_set(std::string_view text);

}  // namespace postern::imap
