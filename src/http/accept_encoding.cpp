#include "http/accept_encoding.h"

#include <algorithm>

#include "core/ascii.h"
#include "core/header_value.h"

namespace postern::http {
namespace {

// RFC 9110 §5.6.2 tchar.
bool is_tchar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool is_token(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), is_tchar);
}

// qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ), in
// thousandths; nullopt for anything else.
std::optional<int> parse_qvalue(std::string_view s) {
  if (s.empty() || (s[0] != '0' && s[0] != '1')) return std::nullopt;
  int whole = s[0] - '0';
  auto rest = s.substr(1);
  if (rest.empty()) return whole * 1000;
  if (rest[0] != '.' || rest.size() > 4) return std::nullopt;
  int thousandths = 0;
  int scale = 100;
  for (char c : rest.substr(1)) {
    if (c < '0' || c > '9') return std::nullopt;
    thousandths += (c - '0') * scale;
    scale /= 10;
  }
  if (whole == 1 && thousandths != 0) return std::nullopt;
  return whole * 1000 + thousandths;
}

// One element, "gzip" or "br ; q=0.8"; nullopt when it does not parse.
std::optional<AcceptedCoding> parse_element(std::string_view item) {
  auto semicolon = item.find(';');
  auto name = trim_blanks(item.substr(0, semicolon));
  if (!is_token(name)) return std::nullopt;
  AcceptedCoding out{ascii_lowered(name), 1000};
  if (out.coding == "x-gzip") out.coding = "gzip";
  if (semicolon == std::string_view::npos) return out;
  bool weighted = false;
  for (auto param : list_items(item.substr(semicolon + 1), ';')) {
    // The only parameter the grammar has is the weight, once.
    if (weighted || param.size() < 2 || ascii_lower(param[0]) != 'q' || param[1] != '=')
      return std::nullopt;
    auto q = parse_qvalue(param.substr(2));
    if (!q) return std::nullopt;
    out.weight = *q;
    weighted = true;
  }
  return out;
}

}  // namespace

std::vector<AcceptedCoding> parse_accept_encoding(std::string_view value) {
  std::vector<AcceptedCoding> out;
  for (auto item : list_items(value, ',')) {
    if (auto element = parse_element(item)) out.push_back(std::move(*element));
  }
  return out;
}

std::string_view choose_content_coding(std::optional<std::string_view> value,
                                       std::span<const std::string_view> available) {
  if (!value || trim_blanks(*value).empty()) return {};
  auto accepted = parse_accept_encoding(*value);
  // A coding's weight: its own element (the first, if listed twice), else
  // that of "*", else none (not listed means not acceptable).
  auto weight_of = [&](std::string_view coding) -> std::optional<int> {
    std::optional<int> any;
    for (const auto& a : accepted) {
      if (a.coding == coding) return a.weight;
      if (a.coding == "*" && !any) any = a.weight;
    }
    return any;
  };
  std::string_view best;
  int best_weight = 0;
  for (auto coding : available) {
    auto w = weight_of(coding).value_or(0);
    if (w > best_weight) {
      best = coding;
      best_weight = w;
    }
  }
  if (best.empty()) return {};
  // Identity is acceptable unless excluded, but below any coding the
  // request names, unless the request weighs it explicitly.
  auto identity = weight_of("identity").value_or(0);
  return identity > best_weight ? std::string_view() : best;
}

}  // namespace postern::http
