// The commands that file messages into a mailbox: COPY and MOVE (RFC 3501
// §6.4.7, RFC 6851) with their UID forms, and APPEND (RFC 3501 §6.3.11),
// answered with UIDPLUS's COPYUID and APPENDUID (RFC 4315).
#include <chrono>

#include "imap/session/search_matcher.h"
#include "imap/session/session_fsm.h"
#include "imap/session/stored_flags.h"
#include "inbox/summary.h"

namespace postern::imap {
namespace {

constexpr std::string_view kTryCreate = "[TRYCREATE] Mailbox doesn't exist.";

std::string copyuid(const store::CopyResult& r) {
  std::vector<std::uint32_t> from;
  std::vector<std::uint32_t> to;
  for (const auto& p : r.uids) {
    from.push_back(p.from);
    to.push_back(p.to);
  }
  return "[COPYUID " + std::to_string(r.target_uid_validity) + " " + compact_set(from) + " " +
         compact_set(to) + "]";
}

}  // namespace

void SessionFsm::handle(const Copy& c) { copy_to(c.set, c.mailbox, false); }

void SessionFsm::handle(const Move& c) {
  if (selected_->read_only()) return no("[READ-ONLY] Mailbox is read-only.");
  copy_to(c.set, c.mailbox, true);
}

void SessionFsm::copy_to(const SequenceSet& set, const imap::Mailbox& mailbox, bool move) {
  auto seqs = resolve_or_bad(set);
  if (!seqs) return;
  auto name = store_name(mailbox);
  if (!name) return;
  // RFC 3501 §6.4.7: a missing target is NO [TRYCREATE], so that the
  // client may CREATE it and try again.
  auto target = store_.mailbox(account_->id, *name);
  if (!target) return target.error() == Errc::not_found ? no(kTryCreate) : no_for(target.error());
  auto uids = live_uids(*seqs);
  std::string_view done_text = move ? "Move completed." : "Copy completed.";
  if (uids.empty()) return ok(done_text);
  call_store<store::CopyResult>(
      [from = selected_->id(), uids = std::move(uids), to = target->id, move](
          store::InboxStore& s, auto done) { s.copy(from, uids, to, move, std::move(done)); },
      [this, move, done_text](Result<store::CopyResult> r) {
        if (!r) return r.error() == Errc::not_found ? no(kTryCreate) : no_for(r.error());
        if (!move) return ok(copyuid(*r) + " " + std::string(done_text));
        // RFC 6851 §4.3: COPYUID goes untagged, before the EXPUNGEs that
        // finish() sends for the moved messages.
        untagged("OK " + copyuid(*r) + " Moved.");
        ok(done_text);
      });
}

void SessionFsm::handle(const Append& c) {
  auto name = store_name(c.mailbox);
  if (!name) return;
  auto flags = stored_flags(c.flags);
  if (!flags) return bad("Invalid system flag.");
  store::InboxDelivery d;
  d.summary = inbox::summarize(c.message);
  d.content = c.message;
  // Without a date-time the message arrives now (INTERNALDATE has seconds).
  d.internal_date =
      c.internal_date.value_or(std::chrono::floor<std::chrono::seconds>(clock_.now()));
  d.targets.push_back({account_->id, *name, std::move(*flags)});
  call_store<std::vector<store::DeliveredCopy>>(
      [d = std::move(d)](store::InboxStore& s, auto done) mutable {
        s.deliver(std::move(d), std::move(done));
      },
      [this](Result<std::vector<store::DeliveredCopy>> r) {
        error_code error = !r           ? r.error()
                           : r->empty() ? make_error_code(Errc::internal)
                                        : r->front().error;
        if (error == Errc::not_found) return no(kTryCreate);
        if (error) return no_for(error);
        // The selected mailbox (if it is the target) shows the message in
        // the EXISTS that finish() sends.
        const auto& filed = r->front();
        ok("[APPENDUID " + std::to_string(filed.uid_validity) + " " + std::to_string(filed.uid) +
           "] Append completed.");
      });
}

}  // namespace postern::imap
