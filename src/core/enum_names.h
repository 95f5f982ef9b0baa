// Enumerators kept on disk or sent by name: a table of (value, name) pairs
// and the two look-ups each such enum needs, so that the table is the one
// place a name is spelt.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>
#include <utility>

namespace postern {

template <class Enum, std::size_t N>
using EnumNames = std::array<std::pair<Enum, std::string_view>, N>;

// The name of `value`, or `unknown` when the table lacks it.
template <class Enum, std::size_t N>
constexpr std::string_view name_in(const EnumNames<Enum, N>& names, Enum value,
                                   std::string_view unknown) {
  for (const auto& [v, name] : names)
    if (v == value) return name;
  return unknown;
}

// The value named `name`, or nullopt.
template <class Enum, std::size_t N>
constexpr std::optional<Enum> value_in(const EnumNames<Enum, N>& names, std::string_view name) {
  for (const auto& [v, n] : names)
    if (n == name) return v;
  return std::nullopt;
}

}  // namespace postern
