// The commands of the selected state (RFC 3501 §6.4): CHECK, CLOSE,
// UNSELECT (RFC 3691), EXPUNGE, FETCH, STORE and their UID forms.
#include <algorithm>
#include <cstddef>
#include <unordered_map>

#include "imap/session/fetch_response.h"
#include "imap/session/session_fsm.h"
#include "imap/session/stored_flags.h"

namespace postern::imap {
namespace {

using store::SystemFlag;

store::FlagOperation operation_of(Store::Mode mode) {
  switch (mode) {
    case Store::Mode::add:
      return store::FlagOperation::add;
    case Store::Mode::remove:
      return store::FlagOperation::remove;
    case Store::Mode::replace:
      break;
  }
  return store::FlagOperation::replace;
}

}  // namespace

void SessionFsm::handle(const Check&) { ok("Check completed."); }

void SessionFsm::handle(const Unselect&) {
  selected_.reset();
  state_ = State::authenticated;
  ok("Unselect completed.");
}

void SessionFsm::handle(const Close&) {
  if (selected_->read_only()) {
    selected_.reset();
    state_ = State::authenticated;
    return ok("Close completed.");
  }
  // RFC 3501 §6.4.2: expunge \Deleted messages, without EXPUNGE responses.
  call_store<std::vector<std::uint32_t>>(
      [id = selected_->id()](store::InboxStore& s, auto done) {
        s.expunge(id, {}, true, std::move(done));
      },
      [this](Result<std::vector<std::uint32_t>> r) {
        selected_.reset();
        state_ = State::authenticated;
        if (!r) return no_for(r.error());
        ok("Close completed.");
      });
}

void SessionFsm::handle(const Expunge& c) {
  if (selected_->read_only()) return no("[READ-ONLY] Mailbox is read-only.");
  std::vector<std::uint32_t> uids;
  if (c.uids) {
    // UID EXPUNGE (RFC 4315): only these; none of them known is a no-op
    // (an empty list would ask the store for every \Deleted message).
    uids = live_uids(*selected_->resolve(*c.uids, true));
    if (uids.empty()) return ok("Expunge completed.");
  }
  call_store<std::vector<std::uint32_t>>(
      [id = selected_->id(), uids = std::move(uids)](store::InboxStore& s, auto done) {
        s.expunge(id, uids, true, std::move(done));
      },
      [this](Result<std::vector<std::uint32_t>> r) {
        if (!r) return no_for(r.error());
        ok("Expunge completed.");  // finish() sends the EXPUNGE responses
      });
}

std::optional<std::vector<std::uint32_t>> SessionFsm::resolve_or_bad(const SequenceSet& set) {
  auto seqs = selected_->resolve(set, uid_command_);
  if (!seqs) bad("Invalid message sequence number.");
  return seqs;
}

std::vector<std::uint32_t> SessionFsm::live_uids(const std::vector<std::uint32_t>& seqs) const {
  std::vector<std::uint32_t> uids;
  for (auto seq : seqs)
    if (!selected_->at(seq).expunged) uids.push_back(selected_->at(seq).uid);
  return uids;
}

void SessionFsm::handle(const Fetch& c) {
  auto seqs = resolve_or_bad(c.set);
  if (!seqs) return;
  bool marks_seen =
      !selected_->read_only() &&
      std::any_of(c.items.begin(), c.items.end(), [](const auto& i) { return sets_seen(i); });
  std::vector<std::uint32_t> unseen;
  if (marks_seen) {
    for (auto seq : *seqs) {
      const auto& m = selected_->at(seq);
      if (!m.expunged && !m.flags.has(SystemFlag::seen)) unseen.push_back(m.uid);
    }
  }
  if (unseen.empty()) return send_fetch(c, *seqs, false);
  store::FlagChange change{store::FlagOperation::add, {}};
  change.flags.system = static_cast<std::uint8_t>(SystemFlag::seen);
  call_store<std::vector<store::FlagUpdate>>(
      [id = selected_->id(), unseen = std::move(unseen), change](store::InboxStore& s, auto done) {
        s.store_flags(id, unseen, change, std::move(done));
      },
      [this, c, seqs = *seqs](Result<std::vector<store::FlagUpdate>> r) {
        if (!r) return no_for(r.error());
        selected_->apply(*r);
        send_fetch(c, seqs, true);
      });
}

void SessionFsm::send_fetch(const Fetch& c, const std::vector<std::uint32_t>& seqs, bool seen_set) {
  // Answered a chunk at a time from next(), so that a FETCH 1:* over a
  // large mailbox neither reads every summary at once nor holds its whole
  // answer: the driver writes each chunk's output (Action::flush).
  fetch_ = FetchProgress{c.items, seqs, 0, seen_set, false};
}

void SessionFsm::continue_fetch() {
  auto& f = *fetch_;
  auto end = std::min(f.seqs.size(), f.next + policy_.fetch_chunk);
  std::vector<std::uint32_t> chunk(f.seqs.begin() + static_cast<std::ptrdiff_t>(f.next),
                                   f.seqs.begin() + static_cast<std::ptrdiff_t>(end));
  f.next = end;
  bool last = end == f.seqs.size();
  auto finish_with = [&](auto answer) {
    fetch_.reset();
    answer();
  };
  auto entries = store_.entries_without_text(selected_->id(), live_uids(chunk));
  if (!entries) return finish_with([&, e = entries.error()] { no_for(e); });
  std::unordered_map<std::uint32_t, const store::EntryWithSummary*> by_uid;
  for (const auto& e : *entries) by_uid.emplace(e.entry.uid, &e);
  for (auto seq : chunk) {
    const auto& m = selected_->at(seq);
    auto it = by_uid.find(m.uid);
    if (m.expunged || it == by_uid.end()) {
      // RFC 2180 §4.1.2: a message expunged by another session that this
      // one may not announce yet is answered with nothing, and NO.
      f.missing = true;
      continue;
    }
    auto blob = it->second->entry.blob;
    auto line = render_fetch({seq, &m.flags, m.recent, it->second}, f.items, uid_command_,
                             f.seen_set, [&] { return store_.blob_content(blob); });
    if (!line) return finish_with([&] { no("[UNAVAILABLE] A message could not be read."); });
    out_ += *line;
  }
  if (!last) return;
  if (f.missing) return finish_with([&] { no("Some of the requested messages no longer exist."); });
  finish_with([&] { ok("Fetch completed."); });
}

void SessionFsm::handle(const Store& c) {
  auto seqs = resolve_or_bad(c.set);
  if (!seqs) return;
  if (selected_->read_only()) return no("[READ-ONLY] Mailbox is read-only.");
  auto flags = stored_flags(c.flags);
  if (!flags) return bad("Invalid system flag.");
  auto uids = live_uids(*seqs);
  if (uids.empty()) return ok("Store completed.");
  call_store<std::vector<store::FlagUpdate>>(
      [id = selected_->id(), uids = std::move(uids),
       change = store::FlagChange{operation_of(c.mode), std::move(*flags)}](
          store::InboxStore& s, auto done) { s.store_flags(id, uids, change, std::move(done)); },
      [this, silent = c.silent, seqs = std::move(*seqs)](Result<std::vector<store::FlagUpdate>> r) {
        if (!r) return no_for(r.error());
        selected_->apply(*r);
        if (!silent) send_flags(seqs);
        ok("Store completed.");
      });
}

void SessionFsm::send_flags(const std::vector<std::uint32_t>& seqs) {
  for (auto seq : seqs) {
    const auto& m = selected_->at(seq);
    if (m.expunged) continue;
    untagged(std::to_string(seq) + " FETCH (" +
             (uid_command_ ? "UID " + std::to_string(m.uid) + " " : std::string()) + "FLAGS " +
             flag_list(m.flags, m.recent) + ")");
  }
}

}  // namespace postern::imap
