// Address-list parser (RFC 5322 §3.4, §3.2.2 CFWS, §4.4 obsolete syntax),
// iterative so that hostile nesting cannot exhaust the stack.
#include "mime/detail/address_list.h"

#include <cctype>
#include <string>

#include "mime/detail/rfc2047.h"

namespace postern::mime::detail {
namespace {

constexpr std::size_t kSnippet = 64;  // longest piece of input quoted in an error

// Only SP and HTAB: after unfolding, a CR or LF left in a value is stray
// (RFC 5322 §2.2.3) and must not pass for whitespace.
bool is_wsp(char c) { return c == ' ' || c == '\t'; }

// atext (RFC 5322 §3.2.3) plus '.' (dot-atom, obs-phrase) and UTF-8 bytes
// (RFC 6532 §3.2).
bool is_atom_char(char ch) {
  auto c = static_cast<unsigned char>(ch);
  if (c >= 0x80 || std::isalnum(c)) return true;
  return std::string_view("!#$%&'*+-/=?^_`{|}~.").find(ch) != std::string_view::npos;
}

std::string snippet(std::string_view s) {
  if (s.size() <= kSnippet) return std::string(s);
  return std::string(s.substr(0, kSnippet)) + "...";
}

AddressError fail(std::string reason) { return AddressError{std::move(reason)}; }

// AddressError is constructible from a string, so the value needs naming.
Result<std::string, AddressError> text_value(std::string s) {
  return Result<std::string, AddressError>(boost::system::in_place_value, std::move(s));
}

struct Word {
  std::string raw;   // as written, quotes included
  std::string text;  // quoted-string content unescaped
};

class Parser {
 public:
  explicit Parser(std::string_view s) : s_(s) {}

  Result<AddressList, AddressError> parse_list() {
    AddressList out;
    while (true) {
      if (auto ok = skip_cfws(); !ok) return ok.error();
      if (at_end()) break;
      if (peek() == ',') {  // obs-addr-list: empty element
        ++i_;
        continue;
      }
      if (auto ok = parse_address(out, false); !ok) return ok.error();
      if (auto ok = skip_cfws(); !ok) return ok.error();
      if (at_end()) break;
      if (peek() != ',') return fail("expected ',' between addresses at '" + rest() + "'");
      ++i_;
    }
    return out;
  }

 private:
  bool at_end() const { return i_ >= s_.size(); }
  char peek() const { return s_[i_]; }
  std::string rest() const { return snippet(s_.substr(i_)); }

  // CFWS (RFC 5322 §3.2.2); nested comments are counted, not recursed.
  // Keeps the text of the last comment for "addr (Name)".
  Result<void, AddressError> skip_cfws() {
    while (!at_end()) {
      if (is_wsp(peek())) {
        ++i_;
        continue;
      }
      if (peek() != '(') break;
      std::size_t start = i_;
      std::string text;
      int depth = 0;
      while (true) {
        if (at_end()) return fail("unterminated comment at '" + snippet(s_.substr(start)) + "'");
        char c = s_[i_++];
        if (c == '\\' && !at_end()) {
          text.push_back(s_[i_++]);
        } else if (c == '(') {
          if (depth++ > 0) text.push_back(c);
        } else if (c == ')') {
          if (--depth == 0) break;
          text.push_back(c);
        } else {
          text.push_back(c);
        }
      }
      last_comment_ = std::move(text);
    }
    return {};
  }

  Result<Word, AddressError> read_quoted() {
    std::size_t start = i_++;
    Word w;
    while (true) {
      if (at_end()) {
        return fail("unterminated quoted string at '" + snippet(s_.substr(start)) + "'");
      }
      char c = s_[i_++];
      if (c == '"') break;
      if (c == '\\' && !at_end()) c = s_[i_++];
      w.text.push_back(c);
    }
    w.raw = std::string(s_.substr(start, i_ - start));
    return w;
  }

  Word read_atom() {
    std::size_t start = i_;
    while (!at_end() && is_atom_char(peek())) ++i_;
    std::string text(s_.substr(start, i_ - start));
    return Word{text, text};
  }

  // Words of a phrase or local part, up to the first special character.
  Result<std::vector<Word>, AddressError> read_words() {
    std::vector<Word> words;
    while (true) {
      if (auto ok = skip_cfws(); !ok) return ok.error();
      if (at_end()) break;
      if (peek() == '"') {
        auto w = read_quoted();
        if (!w) return w.error();
        words.push_back(std::move(*w));
      } else if (is_atom_char(peek())) {
        words.push_back(read_atom());
      } else {
        break;
      }
    }
    return words;
  }

  // local-part from words: one word, or words joined by dots
  // (obs-local-part allows CFWS around the dots).
  Result<std::string, AddressError> local_part(const std::vector<Word>& words) {
    if (words.empty()) return fail("address without a local part at '" + rest() + "'");
    std::string local = words[0].raw;
    for (std::size_t k = 1; k < words.size(); ++k) {
      if (local.back() != '.' && words[k].raw.front() != '.') {
        return fail("'" + snippet(local + " " + words[k].raw) +
                    "...' is not an address (a display name needs <...> around the address)");
      }
      local += words[k].raw;
    }
    return text_value(std::move(local));
  }

  // Domain after '@': dot-atom (CFWS allowed around the dots) or literal.
  Result<std::string, AddressError> read_domain() {
    if (auto ok = skip_cfws(); !ok) return ok.error();
    std::string domain;
    if (!at_end() && peek() == '[') {
      std::size_t start = i_;
      while (!at_end() && peek() != ']') i_ += (peek() == '\\' && i_ + 1 < s_.size()) ? 2 : 1;
      if (at_end()) {
        return fail("unterminated domain literal at '" + snippet(s_.substr(start)) + "'");
      }
      ++i_;
      return text_value(std::string(s_.substr(start, i_ - start)));
    }
    auto words = read_words();
    if (!words) return words.error();
    for (const auto& w : *words) {
      if (w.raw.front() == '"') return fail("quoted string in a domain at '" + rest() + "'");
      domain += w.raw;
    }
    if (domain.empty()) return fail("address without a domain at '" + rest() + "'");
    return text_value(std::move(domain));
  }

  Result<Mailbox, AddressError> finish(std::string name, std::string local, std::string domain) {
    Mailbox m{std::move(name), local + "@" + domain};
    if (auto ok = validate_address(m.address); !ok) {
      return fail("'" + snippet(m.address) + "': " + ok.error().reason);
    }
    return m;
  }

  static std::string phrase(const std::vector<Word>& words) {
    std::string joined;
    for (const auto& w : words) {
      if (!joined.empty()) joined.push_back(' ');
      joined += w.text;
    }
    return decode_text(joined);
  }

  // angle-addr after '<' (RFC 5322 §3.4, obs-route of §4.4 skipped).
  Result<Mailbox, AddressError> read_angle_addr(std::string name) {
    if (auto ok = skip_cfws(); !ok) return ok.error();
    if (!at_end() && peek() == '@') {
      // The ':' is looked for only up to the '>', so that a hostile list of
      // "<@x" cannot make every entry scan the rest of the header.
      std::size_t close = s_.find('>', i_);
      if (close == std::string_view::npos) return fail("expected '>' at '" + rest() + "'");
      std::size_t colon = s_.substr(0, close).find(':', i_);
      if (colon == std::string_view::npos) return fail("bad route at '" + rest() + "'");
      i_ = colon + 1;
    }
    auto words = read_words();
    if (!words) return words.error();
    if (at_end() || peek() != '@') {
      return fail("expected 'local@domain' inside <...> at '" + rest() + "'");
    }
    auto local = local_part(*words);
    if (!local) return local.error();
    ++i_;
    auto domain = read_domain();
    if (!domain) return domain.error();
    if (auto ok = skip_cfws(); !ok) return ok.error();
    if (at_end() || peek() != '>') return fail("expected '>' at '" + rest() + "'");
    ++i_;
    return finish(std::move(name), std::move(*local), std::move(*domain));
  }

  Result<void, AddressError> parse_group(AddressList& out) {
    out.has_group = true;
    while (true) {
      if (auto ok = skip_cfws(); !ok) return ok.error();
      if (at_end()) return {};  // a missing ';' at the very end is common and harmless
      if (peek() == ';') {
        ++i_;
        return {};
      }
      if (peek() == ',') {
        ++i_;
        continue;
      }
      if (auto ok = parse_address(out, true); !ok) return ok.error();
      if (auto ok = skip_cfws(); !ok) return ok.error();
      if (!at_end() && peek() != ';' && peek() != ',') {
        return fail("expected ',' or ';' in a group at '" + rest() + "'");
      }
    }
  }

  Result<void, AddressError> parse_address(AddressList& out, bool in_group) {
    std::size_t start = i_;
    auto words = read_words();
    if (!words) return words.error();
    if (at_end() || peek() == ',' || peek() == ';') {
      return fail("'" + snippet(s_.substr(start, i_ - start)) + "' is not an address");
    }
    char c = peek();
    if (c == '<') {
      ++i_;
      auto m = read_angle_addr(phrase(*words));
      if (!m) return m.error();
      out.mailboxes.push_back(std::move(*m));
      return {};
    }
    if (c == ':') {
      if (in_group) return fail("a group inside a group at '" + rest() + "'");
      ++i_;
      return parse_group(out);
    }
    if (c == '@') {
      auto local = local_part(*words);
      if (!local) return local.error();
      ++i_;
      last_comment_.clear();  // a comment after the domain is the display name
      auto domain = read_domain();
      if (!domain) return domain.error();
      if (auto ok = skip_cfws(); !ok) return ok.error();
      auto m = finish(decode_text(last_comment_), std::move(*local), std::move(*domain));
      if (!m) return m.error();
      out.mailboxes.push_back(std::move(*m));
      return {};
    }
    return fail("unexpected '" + std::string(1, c) + "' at '" + rest() + "'");
  }

  std::string_view s_;
  std::size_t i_ = 0;
  std::string last_comment_;
};

}  // namespace

Result<AddressList, AddressError> parse_address_list(std::string_view value) {
  return Parser(value).parse_list();
}

}  // namespace postern::mime::detail
