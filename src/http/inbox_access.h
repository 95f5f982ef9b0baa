// What every route of the inbox's read API does first: find the account
// named in the path, check the caller may read it, and find the message a
// UID names (docs/inbox.md "Reading over HTTP").
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "auth/authenticator.h"
#include "http/api.h"
#include "store/inbox_store.h"

namespace postern::http {

// Whether `principal` may read and change `account`'s mail: an API key with
// the route's scope (checked before) or loopback may read every account; a
// test account that logged in with HTTP Basic, or a key bound to a test
// account, only its own.
bool may_access_account(const auth::Principal& principal, const store::InboxAccount& account);

struct OpenInbox {
  store::InboxAccount account;
  store::Mailbox inbox;
};

// The account of the path's {user} and its INBOX, or nullopt once `respond`
// has answered why not (503 no inbox, 404 unknown account, 403 another
// account's credentials, a store error).
std::optional<OpenInbox> open_inbox(ApiServices& s, const Call& call, net::Responder& respond);

struct OpenMessage {
  OpenInbox box;
  store::EntryWithSummary entry;  // the summary's text left empty
};

// The same and the entry of the path's {uid} (400 not a UID, 404 none).
std::optional<OpenMessage> open_message(ApiServices& s, const Call& call, net::Responder& respond);

// The message's bytes, or nullopt once `respond` has answered the store's error.
std::optional<std::string> message_bytes(ApiServices& s, const store::MailEntry& entry,
                                         net::Responder& respond);

// Where the read API serves the account's message `uid`, without a trailing '/'.
std::string message_path(const std::string& user, std::uint32_t uid);

}  // namespace postern::http
