#include "inbox/catching.h"

#include <future>

#include "auth/credentials.h"
#include "inbox/generated_credentials.h"

namespace postern::inbox {

Result<CatchAll> ensure_catch_all(store::InboxStore& store, const InboxOptions& options) {
  std::string user(kCatchAllUser);
  auto found = store.account_by_user(user);
  if (found) return CatchAll{std::move(*found), std::nullopt};
  if (found.error() != Errc::not_found) return found.error();
  auto password =
      options.catch_all_password.empty() ? generate_password() : options.catch_all_password;
  auto hash = auth::hash_password(password);
  if (!hash) return error_code(Errc::internal);
  store::NewInboxAccount account;
  account.user = user;
  account.address = user + "@" + options.domain;
  account.password_hash = std::move(*hash);
  account.retention = options.retention;
  account.quota_bytes = 0;  // the node's whole mail goes here: no account quota
  account.catch_all = true;
  std::promise<Result<store::InboxAccount>> created;
  store.create_account(std::move(account), [&created](Result<store::InboxAccount> r) {
    created.set_value(std::move(r));
  });
  auto made = created.get_future().get();
  // Nodes sharing one store and starting together race to make it: the
  // loser's conflict means a peer made it a moment ago, with its password.
  if (!made && made.error() == Errc::conflict) {
    auto made_by_peer = store.account_by_user(user);
    if (!made_by_peer) return made_by_peer.error();
    return CatchAll{std::move(*made_by_peer), std::nullopt};
  }
  if (!made) return made.error();
  CatchAll out{std::move(*made), std::nullopt};
  if (options.catch_all_password.empty()) out.new_password = std::move(password);
  return out;
}

}  // namespace postern::inbox
