// Changing a test account's INBOX over HTTP (docs/inbox.md "Reading over
// HTTP"): deleting one message or all, marking one read or unread. Each
// answers once the change is committed, and IMAP sessions on the mailbox
// see it (the store's modseq).
#include <boost/json/object.hpp>

#include "http/handlers.h"
#include "http/inbox_access.h"
#include "http/responses.h"

namespace postern::http {
namespace {

void set_seen(ApiServices& s, Call& call, net::Responder respond, bool seen) {
  auto m = open_message(s, call, respond);
  if (!m) return;
  store::FlagChange change;
  change.operation = seen ? store::FlagOperation::add : store::FlagOperation::remove;
  change.flags.system = static_cast<std::uint8_t>(store::SystemFlag::seen);
  s.inbox->store_flags(m->box.inbox.id, {m->entry.entry.uid}, std::move(change),
                       [respond](Result<std::vector<store::FlagUpdate>> r) {
                         if (!r) return respond(store_error_response(r.error()));
                         respond(no_content_response());
                       });
}

}  // namespace

void mark_test_account_message_seen(ApiServices& s, Call& call, net::Responder respond) {
  set_seen(s, call, std::move(respond), true);
}

void mark_test_account_message_unseen(ApiServices& s, Call& call, net::Responder respond) {
  set_seen(s, call, std::move(respond), false);
}

void delete_test_account_message(ApiServices& s, Call& call, net::Responder respond) {
  auto m = open_message(s, call, respond);
  if (!m) return;
  s.inbox->expunge(m->box.inbox.id, {m->entry.entry.uid}, false,
                   [respond](Result<std::vector<std::uint32_t>> r) {
                     if (!r) return respond(store_error_response(r.error()));
                     respond(no_content_response());
                   });
}

void delete_test_account_messages(ApiServices& s, Call& call, net::Responder respond) {
  auto box = open_inbox(s, call, respond);
  if (!box) return;
  auto entries = s.inbox->entries(box->inbox.id);
  if (!entries) return respond(store_error_response(entries.error()));
  std::vector<std::uint32_t> uids;
  uids.reserve(entries->size());
  for (const auto& e : *entries) uids.push_back(e.uid);
  // Exactly these: mail caught while this runs stays.
  s.inbox->expunge(box->inbox.id, std::move(uids), false,
                   [respond](Result<std::vector<std::uint32_t>> r) {
                     if (!r) return respond(store_error_response(r.error()));
                     respond(json_response(200, boost::json::object{{"deleted", r->size()}}));
                   });
}

}  // namespace postern::http
