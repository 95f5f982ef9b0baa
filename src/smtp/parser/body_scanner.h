// Checks message content as it arrives, from DATA (after dot-unstuffing) or
// BDAT (as sent): lines end only with <CRLF>, lines stay within 998 octets
// (RFC 5322 §2.1.1, RFC 5321 §4.5.3.1.6), and the size stays within the
// limit. Keeps the content up to that limit, charged to the budget for
// content in flight when given one: past it, the content is dropped and
// scanning goes on to the end (over_budget). State spans any chunking.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/inflight_budget.h"

namespace postern::smtp {

enum class BodyVerdict {
  ok,
  bare_newline,   // a CR not followed by LF, or an LF not preceded by CR
  too_big,        // more than max_bytes octets
  line_too_long,  // a line of more than 998 octets before its CRLF
  over_budget,    // the budget for content in flight could not take it
};

class BodyScanner {
 public:
  static constexpr std::size_t kMaxLineLength = 998;

  explicit BodyScanner(std::size_t max_bytes) : max_bytes_(max_bytes) {}

  // From now on, the content kept is charged to `budget` (null: none).
  void charge_to(InflightBudget* budget) { charge_ = InflightCharge(budget); }
  // Charges `bytes` ahead (the size the client declared, RFC 1870) and
  // makes room for them; false, and nothing charged, when the budget has
  // not that much left.
  bool reserve(std::uint64_t bytes);

  void feed(std::string_view bytes);

  // True before any byte and right after a CRLF: where DATA looks for a
  // leading dot.
  bool at_line_start() const { return at_line_start_; }
  std::uint64_t size() const { return size_; }

  // The first problem found, by severity: bare newlines (smuggling) first.
  // A CR still waiting for its LF counts as bare: the content ended there.
  BodyVerdict verdict() const;

  // The content (complete when verdict() is ok). Leaves the scanner empty.
  std::string take_content() { return std::move(content_); }
  // The charge for the content; held until the content is stored.
  InflightCharge take_charge() { return std::move(charge_); }

 private:
  std::size_t max_bytes_;
  std::string content_;
  InflightCharge charge_;
  bool over_budget_ = false;
  std::uint64_t size_ = 0;
  std::size_t line_length_ = 0;
  bool pending_cr_ = false;
  bool at_line_start_ = true;
  bool bare_newline_ = false;
  bool long_line_ = false;
};

}  // namespace postern::smtp
