// SEARCH and UID SEARCH (RFC 3501 §6.4.4), with ESEARCH's RETURN options
// (RFC 4731). Matching is search_matcher.h's; this file gathers what the
// program needs, a chunk of messages at a time, and answers.
#include <algorithm>
#include <cstddef>
#include <unordered_map>

#include "imap/session/search_matcher.h"
#include "imap/session/session_fsm.h"
#include "mime/reading_view.h"

namespace postern::imap {
namespace {

// Headers decoded as a person reads them (RFC 2047 words, folding), which
// is what HEADER and BCC are matched against.
Result<std::vector<SearchHeader>> read_headers(store::InboxStore& store, store::BlobId blob) {
  auto raw = store.blob_content(blob);
  if (!raw) return raw.error();
  std::vector<SearchHeader> headers;
  for (auto& h : mime::read_headers(*raw))
    headers.push_back({std::move(h.name), std::move(h.value)});
  return headers;
}

std::string esearch_answer(const std::string& tag, bool uid, const SearchReturn& r,
                           const std::vector<std::uint32_t>& found) {
  std::string out = "ESEARCH (TAG \"" + tag + "\")";
  if (uid) out += " UID";
  // RFC 4731 §3.1: MIN, MAX and ALL are left out when nothing matched.
  if (r.min && !found.empty()) out += " MIN " + std::to_string(found.front());
  if (r.max && !found.empty()) out += " MAX " + std::to_string(found.back());
  if (r.all && !found.empty()) out += " ALL " + compact_set(found);
  if (r.count) out += " COUNT " + std::to_string(found.size());
  return out;
}

}  // namespace

void SessionFsm::handle(const Search& c) {
  if (c.charset && *c.charset != "UTF-8" && *c.charset != "US-ASCII")
    return no("[BADCHARSET (UTF-8 US-ASCII)] Unsupported charset.");
  // Take in what changed first, so that a message expunged meanwhile is
  // known as such (it keeps its number during SEARCH, but matches nothing)
  // and new mail is searched too; the untagged answers may precede SEARCH.
  send_updates(expunges_allowed_);
  auto found = search(c.program);
  if (!found) return no("[UNAVAILABLE] The mailbox could not be searched; try again later.");
  if (c.result) {
    untagged(esearch_answer(tag_, uid_command_, *c.result, *found));
  } else {
    std::string line = "SEARCH";
    for (auto n : *found) {
      line += ' ';
      line += std::to_string(n);
    }
    untagged(line);
  }
  ok("Search completed.");
}

Result<std::vector<std::uint32_t>> SessionFsm::search(const SearchKey& program) {
  const auto& view = *selected_;
  auto needs = search_needs(program);
  SearchScope scope{view.exists(), view.messages().empty() ? 0 : view.messages().back().uid};
  auto answer = [&](std::uint32_t seq) { return uid_command_ ? view.at(seq).uid : seq; };
  // First what the view alone decides (flags, UIDs, sequence numbers):
  // only the messages it leaves undecided are read from the store, so that
  // "UID 1000:1999 SUBJECT x" reads 1,000 rows of a large mailbox, not all.
  // Messages expunged meanwhile keep their number but have nothing left to
  // match.
  std::vector<std::uint32_t> found;
  std::vector<std::uint32_t> undecided;
  for (std::uint32_t seq = 1; seq <= view.exists(); ++seq) {
    const auto& m = view.at(seq);
    if (m.expunged) continue;
    auto match =
        evaluate(program, {seq, m.uid, &m.flags, m.recent, nullptr, nullptr, nullptr}, scope);
    if (match == Match::yes) found.push_back(answer(seq));
    if (match == Match::unknown) undecided.push_back(seq);
  }
  for (std::size_t from = 0; from < undecided.size(); from += policy_.fetch_chunk) {
    auto to = std::min(undecided.size(), from + policy_.fetch_chunk);
    std::vector<std::uint32_t> chunk(undecided.begin() + static_cast<std::ptrdiff_t>(from),
                                     undecided.begin() + static_cast<std::ptrdiff_t>(to));
    auto uids = live_uids(chunk);
    auto read = needs.text ? store_.entries_with_summary(view.id(), uids)
                           : store_.entries_without_text(view.id(), uids);
    if (!read) return read.error();
    std::unordered_map<std::uint32_t, const store::EntryWithSummary*> by_uid;
    for (const auto& e : *read) by_uid.emplace(e.entry.uid, &e);
    for (auto seq : chunk) {
      const auto& m = view.at(seq);
      auto it = by_uid.find(m.uid);
      if (it == by_uid.end()) continue;  // expunged since the view last looked
      SearchSubject subject{
          seq, m.uid, &m.flags, m.recent, &it->second->entry, &it->second->summary, nullptr};
      auto match = evaluate(program, subject, scope);
      std::vector<SearchHeader> headers;
      if (match == Match::unknown) {
        // Only now, for a message the cheaper keys left undecided.
        auto headers_read = read_headers(store_, subject.entry->blob);
        if (!headers_read) return headers_read.error();
        headers = std::move(*headers_read);
        subject.headers = &headers;
        match = evaluate(program, subject, scope);
      }
      if (match == Match::yes) found.push_back(answer(seq));
    }
  }
  // Both passes go up by sequence number, and UIDs with it.
  std::sort(found.begin(), found.end());
  return found;
}

}  // namespace postern::imap
