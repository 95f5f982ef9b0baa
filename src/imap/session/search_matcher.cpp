#include "imap/session/search_matcher.h"

#include <algorithm>

#include "core/ascii.h"

namespace postern::imap {
namespace {

using Kind = SearchKey::Kind;
using std::chrono::year_month_day;

// RFC 3501 compares dates "disregarding time and timezone"; Postern keeps
// times in UTC and takes the UTC day (as FETCH INTERNALDATE shows it).
year_month_day day_of(SystemTime t) {
  return year_month_day{std::chrono::floor<std::chrono::days>(t)};
}

Match of(bool b) { return b ? Match::yes : Match::no; }

Match negate(Match m) {
  if (m == Match::unknown) return m;
  return m == Match::yes ? Match::no : Match::yes;
}

bool has_keyword(const store::MailFlags& flags, const std::string& keyword) {
  // IMAP flags compare without regard to case (RFC 3501 §2.3.2).
  return std::any_of(flags.keywords.begin(), flags.keywords.end(),
                     [&](const auto& k) { return ascii_iequals(k, keyword); });
}

// RFC 3501: a header field name matches any case; an empty value matches
// every message with the field.
Match header_match(const SearchSubject& m, std::string_view field, std::string_view value) {
  if (!m.headers) return Match::unknown;
  return of(std::any_of(m.headers->begin(), m.headers->end(), [&](const SearchHeader& h) {
    return ascii_iequals(h.name, field) && contains_nocase(h.value, value);
  }));
}

Match address_or_subject(const SearchKey& k, const SearchSubject& m) {
  if (!m.summary) return Match::unknown;
  const auto& s = *m.summary;
  switch (k.kind) {
    case Kind::from:
      return of(contains_nocase(s.from, k.value));
    case Kind::to:
      return of(contains_nocase(s.to, k.value));
    case Kind::cc:
      return of(contains_nocase(s.cc, k.value));
    default:
      return of(contains_nocase(s.subject, k.value));
  }
}

// TEXT: the header or the body. The decoded summary answers most of it;
// other header fields need the raw headers.
Match text_match(const SearchKey& k, const SearchSubject& m) {
  if (!m.summary) return Match::unknown;
  const auto& s = *m.summary;
  for (const auto* field : {&s.text, &s.subject, &s.from, &s.to, &s.cc})
    if (contains_nocase(*field, k.value)) return Match::yes;
  if (!m.headers) return Match::unknown;
  return of(std::any_of(m.headers->begin(), m.headers->end(), [&](const SearchHeader& h) {
    return contains_nocase(h.name, k.value) || contains_nocase(h.value, k.value);
  }));
}

Match date_match(const SearchKey& k, year_month_day day) {
  switch (k.kind) {
    case Kind::before:
    case Kind::sent_before:
      return of(day < k.date);
    case Kind::on:
    case Kind::sent_on:
      return of(day == k.date);
    default:  // since, sent_since
      return of(day >= k.date);
  }
}

Match all_of(const std::vector<SearchKey>& keys, const SearchSubject& m, const SearchScope& s) {
  Match result = Match::yes;
  for (const auto& k : keys) {
    auto r = evaluate(k, m, s);
    if (r == Match::no) return Match::no;
    if (r == Match::unknown) result = Match::unknown;
  }
  return result;
}

}  // namespace

bool contains_nocase(std::string_view haystack, std::string_view needle) {
  auto it = std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end(),
                        [](char a, char b) { return ascii_lower(a) == ascii_lower(b); });
  return it != haystack.end() || needle.empty();
}

Match evaluate(const SearchKey& k, const SearchSubject& m, const SearchScope& scope) {
  using store::SystemFlag;
  const auto& f = *m.flags;
  switch (k.kind) {
    case Kind::all:
      return Match::yes;
    case Kind::and_:
      return all_of(k.children, m, scope);
    case Kind::not_:
      return negate(evaluate(k.children.at(0), m, scope));
    case Kind::or_: {
      auto a = evaluate(k.children.at(0), m, scope);
      if (a == Match::yes) return a;
      auto b = evaluate(k.children.at(1), m, scope);
      if (b == Match::yes) return b;
      return a == Match::unknown || b == Match::unknown ? Match::unknown : Match::no;
    }
    case Kind::answered:
      return of(f.has(SystemFlag::answered));
    case Kind::unanswered:
      return of(!f.has(SystemFlag::answered));
    case Kind::deleted:
      return of(f.has(SystemFlag::deleted));
    case Kind::undeleted:
      return of(!f.has(SystemFlag::deleted));
    case Kind::draft:
      return of(f.has(SystemFlag::draft));
    case Kind::undraft:
      return of(!f.has(SystemFlag::draft));
    case Kind::flagged:
      return of(f.has(SystemFlag::flagged));
    case Kind::unflagged:
      return of(!f.has(SystemFlag::flagged));
    case Kind::seen:
      return of(f.has(SystemFlag::seen));
    case Kind::unseen:
      return of(!f.has(SystemFlag::seen));
    case Kind::recent:
      return of(m.recent);
    case Kind::old:
      return of(!m.recent);
    case Kind::new_:
      return of(m.recent && !f.has(SystemFlag::seen));
    case Kind::keyword:
      return of(has_keyword(f, k.value));
    case Kind::unkeyword:
      return of(!has_keyword(f, k.value));
    case Kind::uid:
      return of(k.set.contains(m.uid, scope.max_uid));
    case Kind::sequence_set:
      return of(k.set.contains(m.seq, scope.exists));
    case Kind::larger:
      if (!m.entry) return Match::unknown;
      return of(m.entry->size > k.size);
    case Kind::smaller:
      if (!m.entry) return Match::unknown;
      return of(m.entry->size < k.size);
    case Kind::before:
    case Kind::on:
    case Kind::since:
      if (!m.entry) return Match::unknown;
      return date_match(k, day_of(m.entry->internal_date));
    case Kind::sent_before:
    case Kind::sent_on:
    case Kind::sent_since:
      if (!m.entry || !m.summary) return Match::unknown;
      // Without a Date field that parses, the arrival stands in for it
      // (as Dovecot does), so SENT* never silently drops such a message.
      return date_match(k, day_of(m.summary->date.value_or(m.entry->internal_date)));
    case Kind::from:
    case Kind::to:
    case Kind::cc:
    case Kind::subject:
      return address_or_subject(k, m);
    case Kind::body:
      if (!m.summary) return Match::unknown;
      return of(contains_nocase(m.summary->text, k.value));
    case Kind::text:
      return text_match(k, m);
    case Kind::bcc:
      return header_match(m, "Bcc", k.value);
    case Kind::header:
      return header_match(m, k.field, k.value);
  }
  return Match::no;
}

SearchNeeds search_needs(const SearchKey& k) {
  SearchNeeds n;
  switch (k.kind) {
    case Kind::larger:
    case Kind::smaller:
    case Kind::before:
    case Kind::on:
    case Kind::since:
      n.entry = true;
      break;
    case Kind::sent_before:
    case Kind::sent_on:
    case Kind::sent_since:
    case Kind::from:
    case Kind::to:
    case Kind::cc:
    case Kind::subject:
      n.entry = n.summary = true;
      break;
    case Kind::body:
    case Kind::text:
      n.entry = n.summary = n.text = true;
      n.headers = k.kind == Kind::text;
      break;
    case Kind::bcc:
    case Kind::header:
      n.headers = true;
      break;
    default:
      break;
  }
  for (const auto& c : k.children) {
    auto cn = search_needs(c);
    n.entry |= cn.entry;
    n.summary |= cn.summary;
    n.text |= cn.text;
    n.headers |= cn.headers;
  }
  return n;
}

std::string compact_set(const std::vector<std::uint32_t>& ascending) {
  std::string out;
  for (std::size_t i = 0; i < ascending.size();) {
    auto j = i;
    while (j + 1 < ascending.size() && ascending[j + 1] == ascending[j] + 1) ++j;
    if (!out.empty()) out += ',';
    out += std::to_string(ascending[i]);
    if (j > i) out += ':' + std::to_string(ascending[j]);
    i = j + 1;
  }
  return out;
}

}  // namespace postern::imap
