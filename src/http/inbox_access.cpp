#include "http/inbox_access.h"

#include "core/decimal.h"
#include "core/percent.h"
#include "http/responses.h"
#include "inbox/accounts.h"

namespace postern::http {

bool may_access_account(const auth::Principal& principal, const store::InboxAccount& account) {
  return principal.catch_account == 0 || principal.catch_account == account.id;
}

std::optional<OpenInbox> open_inbox(ApiServices& s, const Call& call, net::Responder& respond) {
  if (!s.accounts || !s.inbox) {
    respond(error_response(503, "unavailable", "the test inbox is not running on this node"));
    return std::nullopt;
  }
  std::string user(call.param("user"));
  auto account = s.accounts->get(user);
  if (!account) {
    if (account.error() == Errc::not_found) {
      respond(error_response(404, "not_found", "no test account named '" + user + "'", "user"));
    } else {
      respond(store_error_response(account.error()));
    }
    return std::nullopt;
  }
  if (!may_access_account(call.principal, *account)) {
    respond(error_response(403, "forbidden",
                           "a test account reads only its own mail; this is '" + user + "'",
                           "user"));
    return std::nullopt;
  }
  auto inbox = s.inbox->mailbox(account->id, "INBOX");
  if (!inbox) {
    respond(store_error_response(inbox.error()));
    return std::nullopt;
  }
  return OpenInbox{std::move(*account), std::move(*inbox)};
}

std::optional<OpenMessage> open_message(ApiServices& s, const Call& call, net::Responder& respond) {
  auto text = call.param("uid");
  auto uid = parse_decimal<std::uint32_t>(text);
  if (!uid || *uid == 0) {
    respond(error_response(400, "invalid_value", "a UID is a positive number", "uid"));
    return std::nullopt;
  }
  auto box = open_inbox(s, call, respond);
  if (!box) return std::nullopt;
  auto entries = s.inbox->entries_without_text(box->inbox.id, {*uid});
  if (!entries) {
    respond(store_error_response(entries.error()));
    return std::nullopt;
  }
  if (entries->empty()) {
    respond(error_response(
        404, "not_found",
        "no message has the UID " + std::to_string(*uid) + " in " + box->account.user + "'s INBOX",
        "uid"));
    return std::nullopt;
  }
  return OpenMessage{std::move(*box), std::move(entries->front())};
}

std::optional<std::string> message_bytes(ApiServices& s, const store::MailEntry& entry,
                                         net::Responder& respond) {
  auto bytes = s.inbox->blob_content(entry.blob);
  if (!bytes) {
    respond(store_error_response(bytes.error()));
    return std::nullopt;
  }
  return std::move(*bytes);
}

std::string message_path(const std::string& user, std::uint32_t uid) {
  return "/v1/test-accounts/" + percent_encode(user) + "/messages/" + std::to_string(uid);
}

}  // namespace postern::http
