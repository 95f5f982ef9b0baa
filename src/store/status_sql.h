// Message statuses in SQL text. The schema stores a status as its
// MessageStatus number (core/status.h); statements and migrations name it
// instead, as {queued}, {deferred}, ..., and the _status_sql literal puts in
// the number at compile time. So the numbers are written once, in the enum,
// a statement reads by name, and a misspelt name does not compile:
//
//   "UPDATE messages SET status = {cancelled} WHERE status IN ({queued}, {deferred})"_status_sql
//
// is "UPDATE messages SET status = 5 WHERE status IN (0, 3)", with static
// storage. Every '{' in such a text opens a status name.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>

#include "core/status.h"

namespace postern::store {

namespace status_sql_detail {

// A string literal as a template argument.
template <std::size_t N>
struct Literal {
  char text[N]{};
  consteval Literal(const char (&literal)[N]) { std::copy_n(literal, N, text); }
};

// Evaluated at compile time only, so a throw is a compile error there.
// (Plain loops: GCC 12 cannot evaluate string_view's find in a constant
// expression over a long text.)
consteval int stored_number(const char* name, std::size_t length) {
  for (std::size_t i = 0; i < kMessageStatusNames.size(); ++i) {
    const auto& known = kMessageStatusNames[i];
    if (known.size() != length) continue;
    std::size_t same = 0;
    while (same < length && known[same] == name[same]) ++same;
    if (same == length) return static_cast<int>(i);
  }
  throw "not a MessageStatus name";
}

// The text with each {name} replaced by its number. A number (below 256,
// three digits at most) is shorter than its name in braces, so the result
// fits in the text's size; the bytes left over are NULs.
template <std::size_t N>
consteval std::array<char, N> with_numbers(const char (&sql)[N]) {
  std::array<char, N> out{};
  std::size_t written = 0;
  for (std::size_t i = 0; i + 1 < N; ++i) {
    if (sql[i] != '{') {
      out[written++] = sql[i];
      continue;
    }
    std::size_t close = i + 1;
    while (close + 1 < N && sql[close] != '}') ++close;
    if (close + 1 >= N) throw "a status name without its '}'";
    int number = stored_number(sql + i + 1, close - i - 1);
    char digits[3]{};
    std::size_t count = 0;
    do {
      digits[count++] = static_cast<char>('0' + number % 10);
      number /= 10;
    } while (number != 0);
    while (count != 0) out[written++] = digits[--count];
    i = close;
  }
  return out;
}

template <Literal Sql>
inline constexpr std::array kWithNumbers = with_numbers(Sql.text);

}  // namespace status_sql_detail

template <status_sql_detail::Literal Sql>
consteval const char* operator""_status_sql() {
  return status_sql_detail::kWithNumbers<Sql>.data();
}

}  // namespace postern::store
