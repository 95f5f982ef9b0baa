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
    for (auto n : *found) line += " " + std::to_string(n);
    untagged(line);
  }
  ok("Search completed.");
}

Result<std::vector<std::uint32_t>> SessionFsm::search(const SearchKey& program) {
  const auto& view = *selected_;
  auto needs = search_needs(program);
  SearchScope scope{view.exists(), view.messages().empty() ? 0 : view.messages().back().uid};
  // Messages expunged meanwhile keep their number but have nothing left
  // to match.
  std::vector<std::uint32_t> seqs;
  for (std::uint32_t seq = 1; seq <= view.exists(); ++seq)
    if (!view.at(seq).expunged) seqs.push_back(seq);
  bool reads_entries = needs.entry || needs.summary || needs.headers;
  std::vector<std::uint32_t> found;
  for (std::size_t from = 0; from < seqs.size(); from += policy_.fetch_chunk) {
    auto to = std::min(seqs.size(), from + policy_.fetch_chunk);
    std::vector<std::uint32_t> chunk(seqs.begin() + static_cast<std::ptrdiff_t>(from),
                                     seqs.begin() + static_cast<std::ptrdiff_t>(to));
    std::vector<store::EntryWithSummary> entries;
    std::unordered_map<std::uint32_t, const store::EntryWithSummary*> by_uid;
    if (reads_entries) {
      auto uids = live_uids(chunk);
      auto read = needs.text ? store_.entries_with_summary(view.id(), uids)
                             : store_.entries_without_text(view.id(), uids);
      if (!read) return read.error();
      entries = std::move(*read);
      for (const auto& e : entries) by_uid.emplace(e.entry.uid, &e);
    }
    for (auto seq : chunk) {
      const auto& m = view.at(seq);
      SearchSubject subject{seq, m.uid, &m.flags, m.recent, nullptr, nullptr, nullptr};
      if (reads_entries) {
        auto it = by_uid.find(m.uid);
        if (it == by_uid.end()) continue;  // expunged since the view last looked
        subject.entry = &it->second->entry;
        subject.summary = &it->second->summary;
      }
      auto match = evaluate(program, subject, scope);
      std::vector<SearchHeader> headers;
      if (match == Match::unknown) {
        // Only now, for a message the cheaper keys left undecided.
        auto read = read_headers(store_, subject.entry->blob);
        if (!read) return read.error();
        headers = std::move(*read);
        subject.headers = &headers;
        match = evaluate(program, subject, scope);
      }
      if (match == Match::yes) found.push_back(uid_command_ ? m.uid : seq);
    }
  }
  return found;
}

}  // namespace postern::imap
