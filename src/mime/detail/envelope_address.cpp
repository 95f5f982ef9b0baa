// Lenient RFC 5322 §3.4 address-list reader for ENVELOPE, shaped after
// what Dovecot answers (its output is the reference of the tests): phrase
// words joined by one space, quotes removed, encoded-words untouched, the
// comment of a bare addr-spec as its name, "MISSING_DOMAIN" for a local
// part alone. Hand-written: GMime's parser decodes names, IMAP wants them raw.
#include "mime/detail/envelope_address.h"

namespace postern::mime::detail {
namespace {

constexpr std::string_view kSpecials = "()<>[]:;@\\,.\"";

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

class Reader {
 public:
  explicit Reader(std::string_view s) : s_(s) {}

  bool done() {
    skip_cfws();
    return pos_ >= s_.size();
  }
  char peek() {
    skip_cfws();
    return pos_ < s_.size() ? s_[pos_] : '\0';
  }
  void advance() { ++pos_; }
  std::size_t position() const { return pos_; }
  // The text of the last comment skipped (for "a@b (Name)").
  const std::string& comment() const { return comment_; }
  void clear_comment() { comment_.clear(); }

  // An atom (with dots, obs-phrase allows them) or a quoted string, without
  // its quotes; false at a special other than '.' or '"'.
  bool word(std::string& out) {
    skip_cfws();
    if (pos_ >= s_.size()) return false;
    if (s_[pos_] == '"') {
      ++pos_;
      while (pos_ < s_.size() && s_[pos_] != '"') {
        if (s_[pos_] == '\\' && pos_ + 1 < s_.size()) ++pos_;
        if (s_[pos_] != '\r' && s_[pos_] != '\n') out += s_[pos_];
        ++pos_;
      }
      if (pos_ < s_.size()) ++pos_;
      return true;
    }
    std::size_t begin = pos_;
    while (pos_ < s_.size() && !is_space(s_[pos_]) &&
           (s_[pos_] == '.' || kSpecials.find(s_[pos_]) == std::string_view::npos)) {
      ++pos_;
    }
    out.append(s_.substr(begin, pos_ - begin));
    return pos_ > begin;
  }
  // A domain: dot-atom, or a literal "[...]" kept with its brackets.
  std::string domain() {
    skip_cfws();
    if (pos_ < s_.size() && s_[pos_] == '[') {
      std::size_t end = s_.find(']', pos_);
      end = end == std::string_view::npos ? s_.size() : end + 1;
      std::string out(s_.substr(pos_, end - pos_));
      pos_ = end;
      return out;
    }
    std::string out;
    while (word(out)) {
    }
    return out;
  }
  // Skips to just past the next ',' at this level (error recovery).
  void skip_item() {
    while (pos_ < s_.size() && s_[pos_] != ',' && s_[pos_] != ';') {
      if (s_[pos_] == '"' || s_[pos_] == '(') {
        std::string ignored;
        if (s_[pos_] == '"') {
          word(ignored);
        } else {
          skip_cfws();
        }
      } else {
        ++pos_;
      }
    }
  }

 private:
  void skip_cfws() {
    while (pos_ < s_.size()) {
      if (is_space(s_[pos_])) {
        ++pos_;
      } else if (s_[pos_] == '(') {
        comment_.clear();
        int depth = 0;
        while (pos_ < s_.size()) {
          char c = s_[pos_++];
          if (c == '\\' && pos_ < s_.size()) {
            comment_ += s_[pos_++];
            continue;
          }
          if (c == '(' && depth++ == 0) continue;
          if (c == ')' && --depth == 0) break;
          comment_ += c;
        }
      } else {
        return;
      }
    }
  }

  std::string_view s_;
  std::size_t pos_ = 0;
  std::string comment_;
};

std::optional<std::string> non_empty(std::string s) {
  if (s.empty()) return std::nullopt;
  return s;
}

// Phrase words joined with single spaces; stops before a special.
std::string phrase(Reader& r) {
  std::string out;
  std::string w;
  while (
      r.peek() != '\0' &&
      (r.peek() == '"' || kSpecials.find(r.peek()) == std::string_view::npos || r.peek() == '.')) {
    w.clear();
    if (!r.word(w)) {
      r.advance();
      continue;
    }
    if (!out.empty()) out += ' ';
    out += w;
  }
  return out;
}

// local-part "@" domain after the phrase already read (`local`).
void finish_addr_spec(Reader& r, std::string local, EnvelopeAddress& a) {
  std::string host;
  if (r.peek() == '@') {
    r.advance();
    host = r.domain();
  }
  a.mailbox = local.empty() ? std::string("MISSING_MAILBOX") : local;
  a.host = host.empty() ? std::string("MISSING_DOMAIN") : host;
}

// "<" [route ":"] addr-spec ">", the '<' already taken.
void angle_addr(Reader& r, EnvelopeAddress& a) {
  std::string route;
  while (r.peek() == '@' || r.peek() == ',') {
    char c = r.peek();
    r.advance();
    if (c == '@') {
      if (!route.empty()) route += ',';
      route += '@' + r.domain();
    }
  }
  if (!route.empty()) {
    a.adl = route;
    if (r.peek() == ':') r.advance();
  }
  std::string local;
  while (r.word(local)) {
  }
  finish_addr_spec(r, local, a);
  while (r.peek() != '\0' && r.peek() != '>') r.advance();
  if (r.peek() == '>') r.advance();
}

// One mailbox, or nothing when the item is empty (obs-mbox-list).
std::optional<EnvelopeAddress> mailbox(Reader& r, std::string words) {
  EnvelopeAddress a;
  if (r.peek() == '<') {
    r.advance();
    a.name = non_empty(std::move(words));
    angle_addr(r, a);
    return a;
  }
  r.clear_comment();
  if (words.empty() && r.peek() != '@') return std::nullopt;
  // addr-spec: the words read were its local part (dots included).
  std::string local = std::move(words);
  for (std::size_t i; (i = local.find(" . ")) != std::string::npos;) local.replace(i, 3, ".");
  finish_addr_spec(r, local, a);
  r.peek();  // reads a trailing comment, if any
  a.name = non_empty(r.comment());
  return a;
}

}  // namespace

std::vector<EnvelopeAddress> parse_envelope_addresses(std::string_view value) {
  std::vector<EnvelopeAddress> out;
  Reader r(value);
  bool in_group = false;
  while (!r.done()) {
    std::size_t start = r.position();
    char c = r.peek();
    if (c == ',') {
      r.advance();
      continue;
    }
    if (c == ';') {
      r.advance();
      if (in_group) out.push_back(EnvelopeAddress{});
      in_group = false;
      continue;
    }
    std::string words = phrase(r);
    if (r.peek() == ':' && !in_group) {
      r.advance();
      out.push_back(EnvelopeAddress{std::nullopt, std::nullopt, words, std::nullopt});
      in_group = true;
      continue;
    }
    if (auto a = mailbox(r, std::move(words))) out.push_back(std::move(*a));
    char next = r.peek();
    if (next != ',' && next != ';' && next != '\0') r.skip_item();
    // A byte no rule takes (a NUL reads as the end to peek()) is skipped,
    // so that every turn moves on.
    if (r.position() == start) r.advance();
  }
  if (in_group) out.push_back(EnvelopeAddress{});
  return out;
}

}  // namespace postern::mime::detail
