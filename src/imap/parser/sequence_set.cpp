// SequenceSet: see sequence_set.h.
#include "imap/parser/sequence_set.h"

#include <algorithm>

#include "core/decimal.h"

namespace postern::imap {
namespace {

std::optional<std::uint32_t> parse_seq_number(std::string_view text) {
  if (text == "*") return kStar;
  auto n = parse_decimal<std::uint32_t>(text);
  if (!n || *n == 0) return std::nullopt;
  return n;
}

}  // namespace

std::optional<SequenceSet> parse_sequence_set(std::string_view text) {
  SequenceSet set;
  while (true) {
    auto comma = text.find(',');
    auto item = text.substr(0, comma);
    auto colon = item.find(':');
    auto first = parse_seq_number(item.substr(0, colon));
    auto last = colon == std::string_view::npos ? first : parse_seq_number(item.substr(colon + 1));
    if (!first || !last) return std::nullopt;
    set.ranges.push_back({*first, *last});
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return set;
}

std::vector<std::pair<std::uint32_t, std::uint32_t>> SequenceSet::resolve(
    std::uint32_t largest) const {
  std::vector<std::pair<std::uint32_t, std::uint32_t>> out;
  out.reserve(ranges.size());
  for (const auto& r : ranges) {
    auto a = r.first == kStar ? largest : r.first;
    auto b = r.last == kStar ? largest : r.last;
    out.emplace_back(std::min(a, b), std::max(a, b));
  }
  std::sort(out.begin(), out.end());
  std::vector<std::pair<std::uint32_t, std::uint32_t>> merged;
  for (const auto& r : out) {
    // Adjacent ranges merge too ("1:3,4" is 1..4); the sum is 64-bit.
    if (!merged.empty() && std::uint64_t{r.first} <= std::uint64_t{merged.back().second} + 1) {
      merged.back().second = std::max(merged.back().second, r.second);
    } else {
      merged.push_back(r);
    }
  }
  return merged;
}

bool SequenceSet::contains(std::uint32_t n, std::uint32_t largest) const {
  return std::any_of(ranges.begin(), ranges.end(), [&](const SeqRange& r) {
    auto a = r.first == kStar ? largest : r.first;
    auto b = r.last == kStar ? largest : r.last;
    return n >= std::min(a, b) && n <= std::max(a, b);
  });
}

}  // namespace postern::imap
