// What the composition root needs to catch mail (docs/inbox.md "How mail is
// caught"): the catch-all account made on the first start.
#pragma once

#include <optional>
#include <string>

#include "auth/authenticator.h"
#include "core/clock.h"
#include "inbox/accounts.h"
#include "inbox/inbox_config.h"
#include "store/inbox_store.h"

namespace postern::inbox {

// The catch-all account's user name: it takes every message of the node
// that is meant for no test account (with no provider configured, every
// message; with one, mail routed to a `capture` provider).
inline constexpr std::string_view kCatchAllUser = "catch-all";

struct CatchAll {
  store::InboxAccount account;
  // Set when this call created it with a generated password: shown once.
  std::optional<std::string> new_password;
};

// The catch-all account, created when missing (catch_all, no quota, never
// expiring for lack of use) with `options.catch_all_password` or a
// generated password. Blocks until the store answers: call it at start.
// When another node sharing the store made it first, answers that one.
Result<CatchAll> ensure_catch_all(store::InboxStore& store, const InboxOptions& options);

}  // namespace postern::inbox
